// The book's animation players (dlbook_build.sphinx.animation_player, templates/animation-player.html).
//
// The page holds each animation's first frame as an image and the other frames' addresses
// (data-frames). This script shows the controls, and fetches the other frames when the player
// comes near the screen or is used, so a page paints before any animation has loaded.
// Plays once at data-fps frames per second; play at the last frame starts again from the first.
'use strict';

(() => {
  // fetch the frames of a player this far before it scrolls into view
  const NEAR = '400px 0px';

  function setUp(player) {
    const image = player.querySelector('.dlbook-player-frame');
    const controls = player.querySelector('.dlbook-player-controls');
    const slider = controls.querySelector('input[type="range"]');
    const counter = controls.querySelector('output');
    const playButton = controls.querySelector('[data-action="play"]');
    const frames = JSON.parse(player.dataset.frames);
    const interval = 1000 / Number(player.dataset.fps);
    const last = frames.length - 1;
    const fetched = []; // the frames, kept so the browser keeps them decoded
    let index = 0;
    let timer = null;

    const fetchFrames = () => {
      if (fetched.length) return;
      for (const src of frames) {
        const frame = new Image();
        frame.decoding = 'async';
        frame.src = src;
        fetched.push(frame);
      }
    };

    const show = (k) => {
      index = Math.min(Math.max(k, 0), last);
      image.src = frames[index];
      slider.value = String(index + 1);
      const position = `${index + 1} / ${frames.length}`;
      slider.setAttribute('aria-valuetext', position);
      counter.textContent = position;
    };

    const label = (button, text) => {
      button.setAttribute('aria-label', text);
      button.title = text;
    };

    const pause = () => {
      clearInterval(timer);
      timer = null;
      player.classList.remove('is-playing');
      label(playButton, playButton.dataset.labelPlay);
    };

    const play = () => {
      fetchFrames();
      if (index === last) show(0);
      player.classList.add('is-playing');
      label(playButton, playButton.dataset.labelPause);
      timer = setInterval(() => {
        if (index >= last) pause();
        else show(index + 1);
      }, interval);
    };

    const actions = {
      first: () => show(0),
      previous: () => show(index - 1),
      next: () => show(index + 1),
      last: () => show(last),
    };
    for (const button of controls.querySelectorAll('button[data-action]')) {
      const { action } = button.dataset;
      button.addEventListener('click', () => {
        fetchFrames();
        if (action === 'play') {
          if (timer === null) play();
          else pause();
          return;
        }
        pause();
        actions[action]();
      });
    }
    slider.addEventListener('input', () => {
      fetchFrames();
      pause();
      show(Number(slider.value) - 1);
    });

    if ('IntersectionObserver' in window) {
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          fetchFrames();
          observer.disconnect();
        }
      }, { rootMargin: NEAR });
      observer.observe(player);
    } else {
      fetchFrames();
    }
    show(0);
    controls.hidden = false;
  }

  const start = () => document.querySelectorAll('.dlbook-player').forEach(setUp);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
