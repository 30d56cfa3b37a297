"""Document rendering throughput: our pipeline against bare WeasyPrint, in one run.

    python -m bench.bench_pdf --n 20

- contracts/s through ``DocumentRenderer`` + ``PdfRenderer`` (Jinja, context
  check, WeasyPrint with reused fonts, PDF/A-2u), from the sample context;
- contracts/s of bare ``weasyprint.HTML(string=html).write_pdf()`` on the SAME
  HTML, rendered once beforehand;
- their ratio (goal >= 0.9: our layer may cost at most a tenth);
- HTML notices/s (Jinja only) over every document kind.

The two PDF paths alternate, one render each in turn, so that load from other
processes on the machine falls on both alike.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable

from weasyprint import HTML

from guarantee.adapters.document_samples import SAMPLE_BRANDING, sample_context
from guarantee.adapters.pdf import DEFAULT_PDF_VARIANT, PdfRenderer
from guarantee.adapters.templating import DocumentRenderer
from guarantee.domain.documents import DocumentKind


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="PDF contracts per path")
    parser.add_argument("--html-n", type=int, default=2000, help="HTML notices to render")
    args = parser.parse_args()
    # WeasyPrint warns on every render when HarfBuzz-Subset is missing; keep the output readable.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    renderer = DocumentRenderer(SAMPLE_BRANDING)
    pdf = PdfRenderer()
    kind = DocumentKind.GUARANTEE_CONTRACT
    context = sample_context(kind)
    html = renderer.render_html(kind, context).html

    def ours() -> bytes:
        return pdf.to_pdf(renderer.render_html(kind, context).html)

    def bare() -> bytes:
        result: bytes = HTML(string=html).write_pdf()
        return result

    ours(), bare()  # warm-up: fonts, caches, imports
    ours_times, bare_times = [], []
    for _ in range(args.n):
        ours_times.append(timed(ours))
        bare_times.append(timed(bare))

    kinds = list(DocumentKind)
    contexts = {k: sample_context(k) for k in kinds}
    start = time.perf_counter()
    for index in range(args.html_n):
        k = kinds[index % len(kinds)]
        renderer.render_html(k, contexts[k])
    html_seconds = time.perf_counter() - start

    ours_rate = args.n / sum(ours_times)
    bare_rate = args.n / sum(bare_times)
    pages = len(pdf.layout(html).pages)
    print(f"contract: {pages} A4 pages, {len(html):,} characters of HTML, n={args.n}")
    print(f"{'path':<44}{'docs/s':>8}{'median ms':>11}")
    print(
        f"{'ours (Jinja + PdfRenderer, ' + str(DEFAULT_PDF_VARIANT) + ')':<44}"
        f"{ours_rate:>8.2f}{statistics.median(ours_times) * 1000:>11.0f}"
    )
    print(
        f"{'bare WeasyPrint, same HTML':<44}"
        f"{bare_rate:>8.2f}{statistics.median(bare_times) * 1000:>11.0f}"
    )
    print(f"ratio ours/bare: {ours_rate / bare_rate:.2f} (goal >= 0.9)")
    print(
        f"HTML notices (Jinja only, all {len(kinds)} kinds): "
        f"{args.html_n / html_seconds:,.0f}/s over {args.html_n} renders"
    )


if __name__ == "__main__":
    main()
