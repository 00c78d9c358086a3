"""nn-grader: an autograder and exercise harness for a neural-network course taught with PyTorch."""
__version__ = "0.1.0"


def load_ipython_extension(ipython):  # `%load_ext grader` in Jupyter or Colab: grader.grading.jupyter
    from grader.grading.jupyter import load_ipython_extension as load
    load(ipython)
