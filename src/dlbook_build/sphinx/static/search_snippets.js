// Search result snippets from the article only (dlbook_build.sphinx.reading).
// searchtools.js takes a result's text from [role=main], which in
// pydata-sphinx-theme is all of <main>: the toolbar, the theme menu ("System
// Settings Light Dark"), the page's contents list. Here the text comes from the
// page's <article> (or the result's section in it), without formulas (their TeX
// source), animation players, buttons or permalink signs.
(() => {
  const LEFT_OUT = ".headerlink, script, style, .math, .dlbook-player, button, form, .no-search";
  const themeDefault = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const article = page.querySelector("article.bd-article");
    if (!article) return themeDefault(htmlString, anchor);
    article.querySelectorAll(LEFT_OUT).forEach((element) => element.remove());
    const section = anchor ? page.getElementById(anchor.replace(/^#/, "")) : null;
    const part = section && article.contains(section) ? section : article;
    return part.textContent.replace(/\s+/g, " ").trim();
  };
})();
