"""What a publication says, as plain values: its open-data JSON (the one source the PDF, the web page and
the open data are all made from), its Markdown, and the document the templates render."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import segno
from markupsafe import Markup

from charte.chartes.snapshot import ClauseData, ThemeData

LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
FORMAT = "charte-publication/1"


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def depuis_iso(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") if value else None


@dataclass(frozen=True)
class AmendementIntegre:
    reference: str
    objet: str
    departement: str
    resultat: str


@dataclass(frozen=True)
class Resolution:
    clause: str
    auteur: str
    motif: str


@dataclass(frozen=True)
class Approbation:
    nom: str
    date: str


@dataclass(frozen=True)
class Annexe:
    amendements: tuple[AmendementIntegre, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    approbations: tuple[Approbation, ...] = ()
    departements: tuple[str, ...] = ()
    texte_de_depart: bool = False

    def payload(self) -> dict:
        return {
            "amendements_integres": [a.__dict__ for a in self.amendements],
            "resolutions_de_conflits": [r.__dict__ for r in self.resolutions],
            "approbations": [a.__dict__ for a in self.approbations],
            "services_participants": list(self.departements),
            "texte_de_depart": self.texte_de_depart,
        }

    @classmethod
    def depuis(cls, data: dict) -> "Annexe":
        return cls(
            tuple(AmendementIntegre(**a) for a in data["amendements_integres"]),
            tuple(Resolution(**r) for r in data["resolutions_de_conflits"]),
            tuple(Approbation(**a) for a in data["approbations"]),
            tuple(data["services_participants"]),
            data["texte_de_depart"],
        )


def donnees_publication(*, autorite: str, charte_id: int, charte_titre: str, contenu: dict, sha256: str,
                        parent_sha256: str | None, adopted_at: datetime | None, published_at: datetime,
                        url: str, signataire: dict, certificat: dict, journal: tuple[int, str],
                        horodatage: bool, annexe: Annexe) -> dict:
    """The publication's open data: the version's content exactly as its SHA-256 covers it, and the
    facts of the publication (who signed, with which certificate, the journal's head at that time)."""
    return {
        "format": FORMAT,
        "licence": LICENCE,
        "producteur": autorite,
        "charte": {"id": charte_id, "titre": charte_titre},
        "version": {
            "numero": contenu["numero"],
            "sha256": sha256,
            "sha256_parent": parent_sha256,
            "calcul_sha256": "SHA-256 du JSON canonique (clés triées, UTF-8, sans espaces) de "
                             "{\"contenu\": contenu, \"precedent\": sha256_parent ou 64 zéros}",
            "adoptee_le": iso(adopted_at),
            "contenu": contenu,
        },
        "publication": {
            "publiee_le": iso(published_at),
            "url": url,
            "signataire": signataire,
            "certificat": certificat,
            "horodatage_demande": horodatage,
            "tete_du_journal": {"seq": journal[0], "hash": journal[1]},
        },
        "annexe": annexe.payload(),
    }


def json_publication(donnees: dict) -> str:
    """The JSON text published and attached to the PDF: stable key order, readable, UTF-8."""
    return json.dumps(donnees, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def markdown_publication(donnees: dict) -> str:
    """The version as a Markdown template (same shape as modeles/: front matter, ## themes, ### clauses)."""
    version = donnees["version"]
    contenu = version["contenu"]
    lignes = [
        "---",
        f"titre: {contenu['titre']}",
        f"description: Version {contenu['numero']} publiée par {donnees['producteur']} le "
        f"{donnees['publication']['publiee_le']} ; SHA-256 {version['sha256']} ; {LICENCE['nom']}.",
        f"version: {contenu['numero']}",
        "---",
        "",
    ]
    if contenu["preambule"]:
        lignes += [contenu["preambule"], ""]
    for theme in contenu["themes"]:
        lignes += [f"## {theme['titre']}", ""]
        if theme["intro"]:
            lignes += [theme["intro"], ""]
        for clause in _clauses_du_theme(contenu, theme["titre"]):
            lignes += [f"### {clause['ref']} — {clause['titre']}", "", clause["texte"], ""]
    return "\n".join(lignes).rstrip("\n") + "\n"


def _clauses_du_theme(contenu: dict, titre: str) -> list[dict]:
    # Theme titles are unique in a charter (the template parser refuses duplicates).
    return [c for c in contenu["clauses"] if c["theme"] == titre]


def qr_svg(url: str) -> Markup:
    """The QR code of the public page as inline SVG (vector, nothing fetched), with a title for the tags."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, title="Code QR vers la page publique de cette "
                                                "version", svgclass="qr", lineclass=None, omitsize=False)
    return Markup(svg)


@dataclass(frozen=True)
class DocumentPublie:
    """What the PDF and the public page show, read back from the publication's JSON."""

    donnees: dict

    @property
    def autorite(self) -> str:
        return self.donnees["producteur"]

    @property
    def charte_titre(self) -> str:
        return self.donnees["charte"]["titre"]

    @property
    def contenu(self) -> dict:
        return self.donnees["version"]["contenu"]

    @property
    def numero(self) -> int:
        return self.contenu["numero"]

    @property
    def titre(self) -> str:
        return self.contenu["titre"]

    @property
    def sha256(self) -> str:
        return self.donnees["version"]["sha256"]

    @property
    def adopted_at(self) -> datetime | None:
        return depuis_iso(self.donnees["version"]["adoptee_le"])

    @property
    def published_at(self) -> datetime | None:
        return depuis_iso(self.donnees["publication"]["publiee_le"])

    @property
    def publication(self) -> dict:
        return self.donnees["publication"]

    @property
    def annexe(self) -> Annexe:
        return Annexe.depuis(self.donnees["annexe"])

    @property
    def url(self) -> str:
        return self.publication["url"]

    def themes(self) -> list[tuple[ThemeData, list[ClauseData]]]:
        """Each theme with its clauses, in order."""
        grouped = []
        for position, theme in enumerate(self.contenu["themes"], start=1):
            clauses = [ClauseData(c["ref"], c["theme"], position, c["position"], c["titre"], c["texte"])
                       for c in _clauses_du_theme(self.contenu, theme["titre"])]
            grouped.append((ThemeData(theme["titre"], theme["intro"]), clauses))
        return grouped

    def clauses(self) -> list[ClauseData]:
        return [c for _, clauses in self.themes() for c in clauses]
