"""indexer/schema.py: a passage goes into Whoosh and comes back as the same typed record."""
from __future__ import annotations

from indexer.kinds import PassageKind
from indexer.passages import Passage
from indexer.schema import RANKED_FIELD, WORDS_FIELD, field_boosts, file_words, passage_document, passage_from_stored


def test_a_passage_comes_back_from_its_stored_fields_as_it_went_in():
    passage = Passage("notes/a.md", "Garden", "Plots › Fees", 3, 4, "| Plot | $40 |", "table_row", 2,
                      context="Plot Fee", cells=(("Plot", "A"), ("Fee", "$40")), date="2021-03-04",
                      sentences=((0, 14),), section_position=1, heading_line=2)
    document = passage_document(passage)
    stored = {name: value for name, value in document.items() if name not in (RANKED_FIELD, WORDS_FIELD)}
    back = passage_from_stored(stored)
    assert back == passage and back.kind is PassageKind.TABLE_ROW
    # made without Passage's __init__: every field is set, and nothing else
    assert back.__dict__ == passage.__dict__ and hash(back) == hash(passage)


def test_the_ranked_field_weights_each_part_by_its_boost():
    passage = Passage("a.md", "Garden", None, 1, 1, "Editor: Bill", "field", 0, field_name="Editor", field_value="Bill")
    parts = dict((weight, text) for text, weight in passage_document(passage)[RANKED_FIELD])
    boosts = field_boosts()
    assert parts[boosts["title"]] == "Garden" and parts[boosts["body"]] == "Editor: Bill"
    assert "edit" in parts[boosts["fields"]]  # the verb behind the agent noun


def test_only_a_files_first_passage_carries_its_words():
    passages = [Passage("notes/birds.md", "Garden Notes", None, 1, 1, "Herons wade.", "paragraph", 0)]
    assert file_words(passages) == "birds garden herons notes wade"  # the file's name is a word of it
    assert WORDS_FIELD not in passage_document(passages[0])
    assert passage_document(passages[0], file_words(passages))[WORDS_FIELD] == "birds garden herons notes wade"
