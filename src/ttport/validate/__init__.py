"""Checking ported code against the original: PCC and error metrics."""

from .pcc import Comparison, compare, pcc
