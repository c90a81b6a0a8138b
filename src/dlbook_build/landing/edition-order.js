// The landing page: the edition in the reader's language first.
(function () {
  var main = document.querySelector("main");
  var langs = (navigator.languages || [navigator.language || ""]).map(function (l) { return l.slice(0, 2); });
  for (var i = langs.length - 1; i >= 0; i--) {
    var section = main.querySelector('section[data-edition="' + langs[i] + '"]');
    if (section) main.insertBefore(section, main.firstChild);
  }
})();
