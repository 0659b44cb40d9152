"""ttport: port PyTorch models to Tenstorrent TTNN and prove every module correct, on any machine."""

__version__ = "0.1.0"
