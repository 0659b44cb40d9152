"""ttport.reference: a captured model -> functional PyTorch reference code, verified module by module."""

from .generate import Generated, Kind, generate
from .parameters import reference_parameters, subtree
