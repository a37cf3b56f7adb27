"""The library's estimators (:mod:`statmech_nn.stats`), re-exported for analysis scripts."""
from statmech_nn.stats import *  # noqa: F401,F403
from statmech_nn.stats import __all__  # noqa: F401
