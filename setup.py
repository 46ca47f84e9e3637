"""The package's metadata is in pyproject.toml; this file only adds the optional compiled
part: Viterbi and marginals in C (annotator/nlp/_crfc.c). Without a C compiler or Python's
headers the build goes on without it and annotator/nlp/fastcrf.py uses numpy."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("annotator.nlp._crfc", ["annotator/nlp/_crfc.c"], optional=True,
                  extra_compile_args=["-O3"]),
    ],
)
