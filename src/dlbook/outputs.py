"""The MIME types of what dlbook displays, and where a figure keeps its summary, apart from the code that draws it.

The book's build (``dlbook_build.sphinx.animation_player``, ``.latex`` and
``.figures``) reads them from here, so that it never imports matplotlib.
"""

#: The MIME type of an animation's frames as JSON (``frames``: base64 WebP,
#: ``format``, display ``width`` and ``height`` in CSS pixels, ``fps``,
#: ``description``, ``key_frames``: the frames the printed strip shows);
#: made by :func:`dlbook.animation.animate` (chapters 3-7).
ANIMATION = "application/vnd.dlbook.animation+json"

#: Key of a figure's summary (:func:`dlbook.style.figure_summary`) in its PNG's
#: text chunks and its SVG's metadata (Dublin Core description).
SUMMARY_KEY = "Description"
