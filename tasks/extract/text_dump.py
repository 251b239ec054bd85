from tasks.extract.fields import PageContext, PageFields


def extract_text_dump(text: str, hints: dict, ctx: PageContext) -> PageFields:
    return PageFields(title=hints.get("title"), extraction_method="text-dump")
