"""The real articles of ``/work/shared/site/samples.jsonl``, with the replica's choices.

The text fields are copied verbatim from the samples (real text, typos included). The
replica's own fields say how to render what the capture notes describe: ``caption`` is the
main image caption, ``force`` names variants the notes call for (see ``article.VARIANTS``),
and ``day`` dates the one sample that has neither ``date_full`` nor a dateline (the Chatyn
commemoration is held on 22 March).
"""

# The text is verbatim from the samples, so its lines are as long as the text.
# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    url: str
    rubric_label: str
    date_full: str | None
    title: str
    first_paragraph: str
    notes: str
    caption: str | None = None
    force: frozenset[str] = field(default_factory=frozenset)
    day: str | None = None


SAMPLES = (
    Sample(
        url="https://deu.belta.by/society/view/belta-ausstellung-parallelwelten-in-moskau-eroffnet-65343-2024",
        rubric_label="Gesellschaft",
        date_full="16 Mai 2024, 19:01",
        title='BelTA-Ausstellung "Parallelwelten" in Moskau eröffnet',
        first_paragraph='MOSKAU, 16. Mai (BelTA) - Die BelTA-Ausstellung "Parallwelten" wird heute in Moskau im Geschäfts- und Kulturhaus der belarussischen Botschaft in Russland präsentiert.',
        notes="fetched 2024-07-14; page ends 'Abonnieren Sie uns auf / Twitter / Letzte Nachrichten aus Belarus'; no trailing slash",
        force=frozenset({"link_no_slash", "footer_twitter"}),
    ),
    Sample(
        url="https://deu.belta.by/sport/view/belarus-gewinnt-13-medaillen-bei-den-gehorlosen-leichtathletik-weltmeisterschaften-66381-2024",
        rubric_label="Sport",
        date_full="23 Juli 2024, 17:50",
        title="Belarus gewinnt 13 Medaillen bei den Gehörlosen Leichtathletik Weltmeisterschaften",
        first_paragraph="MINSK, 23. Juli (BelTA) – Die Gehörlosen Leichtathletik Weltmeisterschaften sind im chinesischen Taipeh zu Ende gegangen, teilte der Pressedienst des Sportministeriums mit.",
        notes="fetched 2024-10-18; footer 'Abonnieren Sie uns auf / X'",
        force=frozenset({"footer_x"}),
    ),
    Sample(
        url="https://deu.belta.by/politics/view/belarus-und-deutschland-fuhren-konsultationen-uber-zusammenarbeit-in-politik-und-wirtschaft-durch-50482-2020/",
        rubric_label="Politik",
        date_full="02 Juni 2020, 18:30",
        title="Belarus und Deutschland führen Konsultationen über Zusammenarbeit in Politik und Wirtschaft durch",
        first_paragraph="MINSK, 2. Juni (BelTA) – Belarus und Deutschland haben Sitzung der strategischen Beratungsgruppe in Form einer Videokonferenz durchgeführt. Das gab der Pressedienst des Außenministeriums bekannt.",
        notes="image caption 'Oleg Krawtschenko. Foto des Außenministeriums' shown twice before the dateline",
        caption="Oleg Krawtschenko. Foto des Außenministeriums",
    ),
    Sample(
        url="https://deu.belta.by/economics/view/krutoi-belarus-und-russland-haben-ihren-handelsumsatz-um-7-prozent-gesteigert-66060-2024/",
        rubric_label="Wirtschaft",
        date_full="02 Juli 2024, 09:15",
        title="Krutoi: Belarus und Russland haben ihren Handelsumsatz um 7 Prozent gesteigert",
        first_paragraph="MOSKAU, 2. Juli (BelTA) - Belarus und Russland haben ihren Handelsumsatz in den vergangenen 5 Monaten 2024 um 7 Prozent gesteigert.",
        notes="h1 text has a leading space; the same article was captured with and without the trailing slash",
        caption="Dmitri Krutoi. Archivfoto",
        force=frozenset({"h1_leading_space", "link_no_slash"}),
    ),
    Sample(
        url="https://deu.belta.by/society/view/us-politologe-uber-die-unfreundlichen-schritte-des-westens-77979-2025",
        rubric_label="Gesellschaft",
        date_full="10 November 2025, 18:38",
        title="US-Politologe über die unfreundlichen Schritte des Westens",
        first_paragraph="MINSK, 10. November (BelTA) - Der US-amerikanische Politologe Steven Samarin äußerte die Ansicht, dass westliche Länder mit Sanktionen und Grenzschließungen sich selbst bestrafen.",
        notes="fetched on the day of publication",
    ),
    Sample(
        url="http://deu.belta.by/politics/view/staatsminister-fur-europa-im-auswartigen-amt-besucht-belarus-29977-2017/",
        rubric_label="Politik",
        date_full="10 März 2017, 16:02",
        title="Staatsminister für Europa im Auswärtigen Amt besucht Belarus",
        first_paragraph="MINSK, 10. März (BelTA) – Staatsminister für Europa im Auswärtigen Amt Michael Roth wird zu einem Besuch nach Belarus kommen, teilte die Deutsche Botschaft Minsk der Telegraphenagentur BelTA mit.",
        notes="2017 article re-rendered in the current template (fetched 2024-04-20)",
        force=frozenset({"link_http"}),
    ),
    Sample(
        url="http://deu.belta.by/politics/view/ausenministerium-von-belarus-will-fahne-und-banner-stiften-36803-2018/",
        rubric_label="Politik",
        date_full="22 Mai 2018, 14:39",
        title="Außenministerium von Belarus will Fahne und Banner stiften",
        first_paragraph="MINSK, 22. Mai (BelTA) – Das Außenministerium von Belarus will eigene Fahne und Banner stiften.",
        notes="caption 'Außenministerium. Archivfoto' shown twice; captured in the old template as 'Politik 22.05.2018 | 14:39'",
        caption="Außenministerium. Archivfoto",
    ),
    Sample(
        url="https://deu.belta.by/economics/view/export-von-waren-und-dienstleistungen-in-belarus-stieg-im-januaraugust-auf-328-mrd-77383-2025",
        rubric_label="Wirtschaft",
        date_full=None,
        title="Export von Waren und Dienstleistungen in Belarus stieg im Januar/August auf $32,8 Mrd.",
        first_paragraph="MINSK, 14. Oktober (BelTA) – Der Export von Waren und Dienstleistungen in Belarus erreichte im Januar/August 2025 $32,8 Mrd. und übertraf damit den Wert des Vorjahreszeitraums um $300 Mio.",
        notes="caption 'Archivfoto' before the dateline; title reconstructed from the slug; publication date not captured (14 Oct 2025 per dateline)",
        caption="Archivfoto",
        force=frozenset({"caption_in_body"}),
    ),
    Sample(
        url="https://deu.belta.by/president/view/lukaschenko-belarussen-haben-ihr-schicksal-langst-bestimmt-70938-2025",
        rubric_label="Präsident",
        date_full=None,
        title="Lukaschenko: Belarussen haben ihr Schicksal längst bestimmt",
        first_paragraph="MINSK; 26. Januar (BelTA) - Die Belarussen haben ihr Schicksal schon längst entschieden. Das sagte der belarussische Präsident Alexander Lukaschenko im Gespräch mit Journalisten nach der Stimmabgabe im Wahllokal.",
        notes="semicolon after the city; title reconstructed from the slug",
    ),
    Sample(
        url="https://deu.belta.by/politics/view/belarus-und-deutschland-besprechen-kooperationsaussichten-47002-2019/",
        rubric_label="Politik",
        date_full=None,
        title="Belarus und Deutschland besprechen Kooperationsaussichten",
        first_paragraph="MINSK, 6. Dezember (BelTA) — Der Vizeaußenminister der Republik Belarus, Oleg Krawtschenko, hat den Beauftragten für Osteuropa, Kaukasus und Zentralasien im Auswärtigen Amt Deutschlands, Michael Siebert, getroffen, der am 17. Minsker Forum teilnahm.",
        notes="em dash; title reconstructed from the slug",
    ),
    Sample(
        url="https://deu.belta.by/fotoreportage/view/erinnerungsaktion-in-der-gedenkstatte-chatyn-56524-2021/",
        rubric_label="Fotoreportage",
        date_full=None,
        title="Erinnerungsaktion in der Gedenkstätte Chatyn",
        first_paragraph="In Belarus wird heute an die Opfer des NS-Massakers von Chatyn erinnert.",
        notes="photo report without a dateline; '-0-' end marker; captions such as 'Premierminister Roman Golowtschenko'",
        day="2021-03-22",
    ),
)
