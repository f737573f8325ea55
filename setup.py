"""Build script for the optional C accelerator; the package metadata lives in pyproject.toml.

``optional=True``: without a C compiler the build only warns and the pure-Python featurizer runs.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("classifiers._speedups", ["classifiers/_speedups.c", "classifiers/_speedups_text.c",
                                                         "classifiers/_speedups_words.c", "classifiers/_speedups_shape.c",
                                                         "classifiers/_speedups_lines.c", "classifiers/_speedups_case.c",
                                                         "classifiers/_speedups_numbers.c"],
                             depends=["classifiers/_speedups.h"], optional=True)])
