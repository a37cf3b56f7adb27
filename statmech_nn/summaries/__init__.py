"""Each study's summaries: a run in, named :class:`~statmech_nn.stats.Estimate`\\ s out.

What ``statmech-nn analyze`` prints and what a sweep stores per point (``Study.summarize``). They live in the
library, not in ``analysis/``, so that sweep workers never import plotting code; ``analysis`` re-exports them.
"""
