"""nn-grader: an autograder and exercise harness for a neural-network course taught with PyTorch."""
__version__ = "0.1.0"
