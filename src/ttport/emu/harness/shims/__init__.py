"""Equivalents of the tt-metal test helpers its tests import, for runs outside a working tt-metal checkout.

Each function has the name, arguments and return value of tt-metal's (tests/ttnn/utils_for_testing.py,
models/common/utility_functions.py, models/experimental/functional_common/attention_mask_functions.py); the PCC is
ttport.validate.pcc, which follows comp_pcc's special cases.
"""

from __future__ import annotations

from . import attention_mask_functions, loguru, utility_functions, utils_for_testing

# tt-metal module path -> the harness's equivalent.
MODULES = {
    "tests.ttnn.utils_for_testing": utils_for_testing,
    "models.utility_functions": utility_functions,
    "models.common.utility_functions": utility_functions,
    "models.experimental.functional_common.attention_mask_functions": attention_mask_functions,
    "loguru": loguru,  # tt-metal's test files log through loguru; a stand-in only where it is not installed
}
