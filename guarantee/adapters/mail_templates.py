"""The text and HTML parts of a notice mail, from the same template (templates/mail/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from guarantee.adapters.templating import DEFAULT_TEMPLATES_DIR


@dataclass(frozen=True)
class MailBody:
    text: str
    html: str


class MailTemplates:
    def __init__(self, templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> None:
        loader = FileSystemLoader(templates_dir / "mail")
        self._text = Environment(loader=loader, undefined=StrictUndefined, autoescape=False)
        self._html = Environment(loader=loader, undefined=StrictUndefined, autoescape=True)

    def letter(
        self,
        *,
        name: str,
        subject: str,
        paragraphs: Sequence[str],
        attachments: Sequence[str],
        fund_name: str,
        fund_footer: str,
    ) -> MailBody:
        values = {
            "name": name,
            "subject": subject,
            "paragraphs": list(paragraphs),
            "attachments": list(attachments),
            "fund_name": fund_name,
            "fund_footer": fund_footer,
        }
        return MailBody(
            text=self._text.get_template("lettera.j2").render(html=False, **values).strip() + "\n",
            html=self._html.get_template("lettera.j2").render(html=True, **values),
        )
