// Tab stops for code and outputs that scroll sideways, given as they near the screen
// (dlbook_build.sphinx.page_speed).
//
// The theme's pydata-sphinx-theme.js, on the window's load event, reads the scroll size of
// every code block and output of the page (addTabStopsToScrollableElements) so that a
// keyboard reader can scroll the ones that overflow. On a chapter that lays out, in one long
// task, every section that `content-visibility: auto` (book.css) leaves unrendered until it
// nears the screen: on a phone, most of the page's main-thread time. This script is deferred
// before the theme's, so its load listener runs first: it stops the event there (no other
// script of the site listens to the window's load) and does the theme's job element by
// element instead. Until its section is rendered, an element keeps a tab stop, as if it
// scrolled, so that Tab still reaches it (and so renders it).
'use strict';

(() => {
  // what the theme makes focusable when it scrolls (its own list, less ipywidgets and nbsphinx)
  const SCROLLABLE = 'pre, .cell_output > .output, .pst-scrollable-table-container';

  const setTabStop = (element) => {
    const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
    element.tabIndex = scrolls ? 0 : -1;
  };

  window.addEventListener('load', (event) => {
    event.stopImmediatePropagation();
    const elements = document.querySelectorAll(SCROLLABLE);
    const near = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) setTabStop(entry.target);
    }, { rootMargin: '400px 0px' });
    for (const element of elements) {
      element.tabIndex = 0;
      near.observe(element);
    }
    // the window's width changes what scrolls: measure again what is rendered, and give
    // the rest their tab stop back until they near the screen again
    let timer = null;
    window.addEventListener('resize', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        for (const element of elements) {
          if (element.checkVisibility({ contentVisibilityAuto: true })) setTabStop(element);
          else element.tabIndex = 0;
        }
      }, 300);
    });
  });
})();
