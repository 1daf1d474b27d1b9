"""`revgraph synth --scale N [--seed S] [-o DIR]`: a synthetic dataset with the real one's shape,
for benchmarks at scale (docs/decisions/0004-synthetic-scale.md), in its own folder, never
beside the real data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_ROOT = Path(".revgraph-synth")


def default_folder(scale: float) -> Path:
    return DEFAULT_ROOT / f"scale-{scale:g}"


def synth(
    scale: Annotated[float, typer.Option(help="How many times the real dataset's size: 1, 10, "
                                         "100, 1000, or a fraction such as 0.1.")] = 1.0,
    seed: Annotated[int, typer.Option(help="The same seed writes the same files, byte for byte.")
                    ] = 1917,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The folder to write (default .revgraph-synth/scale-N/). Its "
        "earlier synthetic files are replaced; a folder of other files is refused.")] = None,
) -> None:
    """Write a synthetic dataset shaped like the real one (the counts of each kind, the
    references per record, date spans, citations, aliases), measured from the data at run time."""
    from cli.common import config, fail, out
    from loaders.synth import check_output, generate, shape
    from loaders.validate import ValidationFailed, validate_paths

    if not 0 < scale <= 10_000:
        fail(f"--scale {scale:g}: give a number above 0 and at most 10000")
        return
    settings = config()
    folder = output or default_folder(scale)
    refused = check_output(folder, settings.data)
    if refused:
        fail(refused)
        return
    try:
        records = validate_paths([settings.data]).records
    except (ValidationFailed, FileNotFoundError) as exc:
        fail(f"the real data in {settings.data} must validate first, to measure its shape: "
             f"{exc} (run `revgraph validate`)")
        return
    began = time.perf_counter()
    written = generate(shape(records), scale, seed, folder)
    total = sum(written.values())
    out.print(f"wrote {total:,} synthetic records (scale {scale:g}, seed {seed}) to {folder} "
              f"in {time.perf_counter() - began:.1f} s: "
              + ", ".join(f"{n:,} {label}" for label, n in written.items()))
