"""The HDF5 format: run files (writer, reader, checkpoints) and provenance. See docs/format.md."""
from .provenance import collect as collect_provenance
from .runfile import (FORMAT_VERSION, Run, RunWriter, Series, check_output_path, open_h5, read_group,
                      read_run)

__all__ = ["FORMAT_VERSION", "Run", "RunWriter", "Series", "check_output_path", "collect_provenance",
           "open_h5", "read_group", "read_run"]
