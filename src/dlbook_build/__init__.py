"""The build side of *Deep Learning, Executed*: not used by the chapters, only by the build.

- :mod:`dlbook_build.project` -- the editions and the build's folders;
- :mod:`dlbook_build.execute` -- executing and caching chapters (one implementation);
- :mod:`dlbook_build.build` -- ``python tools/build_book.py``: build and publish every edition;
- :mod:`dlbook_build.publish` -- what goes into the published site;
- :mod:`dlbook_build.sphinx` -- the Sphinx extensions (``extensions = ["dlbook_build.sphinx"]``).
"""
