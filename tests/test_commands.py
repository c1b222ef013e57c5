import dataclasses

import pytest

from bot.commands import SPECS, Command, CommandError, help_text, key, new_commands, parse


def cmds(body: str) -> list[tuple[str, tuple[str, ...]]]:
    items = parse(body)
    assert all(isinstance(item, Command) for item in items), items
    return [(item.name, item.args) for item in items]


def only_error(body: str) -> CommandError:
    [item] = parse(body)
    assert isinstance(item, CommandError), item
    return item


# --- the command set and its arguments ---------------------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    ("/assign", ("assign", ())),
    ("/assign @octocat", ("assign", ("octocat",))),
    ("/assign octo-cat", ("assign", ("octo-cat",))),
    ("/unassign", ("unassign", ())),
    ("/label bug", ("label", ("bug",))),
    ("/label bug area/docs kind:feature", ("label", ("bug", "area/docs", "kind:feature"))),
    ('/label "good first issue" bug', ("label", ("good first issue", "bug"))),
    ("/remove-label bug", ("remove-label", ("bug",))),
    ('/remove-label "help wanted"', ("remove-label", ("help wanted",))),
    ("/lgtm", ("lgtm", ())),
    ("/lgtm cancel", ("lgtm", ("cancel",))),
    ("/approve", ("approve", ())),
    ("/approve CANCEL", ("approve", ("cancel",))),
    ("/hold", ("hold", ())),
    ("/hold cancel", ("hold", ("cancel",))),
    ("/evaluate", ("evaluate", ())),
    ("/help", ("help", ())),
])
def test_each_command_parses(body, expected):
    assert cmds(body) == [expected]


def test_name_is_case_insensitive_and_extra_spaces_are_ignored():
    assert cmds("/LGTM\n/Label   bug \t  docs  ") == [("lgtm", ()), ("label", ("bug", "docs"))]


def test_leading_spaces_are_allowed():
    assert cmds("  /hold\n   /lgtm") == [("hold", ()), ("lgtm", ())]


def test_commands_come_in_body_order_with_line_numbers():
    items = parse("Thanks!\n/label bug\n\nLooks fine.\n/lgtm\n")
    assert items == [Command("label", ("bug",), 2), Command("lgtm", (), 5)]


def test_results_are_frozen():
    item = parse("/lgtm")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "hold"  # type: ignore[misc]


def test_crlf_bodies_work():
    assert parse("Hi\r\n/label bug\r\n```\r\n/hold\r\n```\r\n/lgtm\r\n") == [
        Command("label", ("bug",), 2), Command("lgtm", (), 6)]


def test_lone_carriage_returns_split_lines():
    assert cmds("/hold\r/lgtm") == [("hold", ()), ("lgtm", ())]


# --- what is not a command ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "",
    "please /lgtm this",
    "See /usr/bin/env for details",
    "/usr/bin/env python is what runs",
    "https://github.com/org/repo/pull/1",
    "Go to https://example.com/lgtm now",
    "/ lgtm",
    "/lgtm!",
    "//lgtm",
    "/123",
    "- /lgtm",
    "`/lgtm`",
    "Run `/lgtm` when ready",
])
def test_not_commands(body):
    assert parse(body) == []


def test_fenced_code_blocks_are_ignored():
    body = "```\n/lgtm\n```\n~~~\n/hold\n~~~\n/label bug"
    assert cmds(body) == [("label", ("bug",))]


def test_fence_with_info_string_is_ignored():
    assert cmds("```python\n/lgtm\n```\n/hold") == [("hold", ())]


def test_fence_closes_only_on_same_character_and_length():
    body = "````\n```\n/lgtm\n~~~~\n````\n/hold"
    assert cmds(body) == [("hold", ())]


def test_fence_closing_line_with_text_does_not_close():
    assert cmds("```\n``` not a close\n/lgtm\n```\n/hold") == [("hold", ())]


def test_unclosed_fence_runs_to_the_end():
    assert cmds("/hold\n```\n/lgtm\n/label bug") == [("hold", ())]


def test_indented_fence_is_still_a_fence():
    assert cmds("   ```\n/lgtm\n   ```\n/hold") == [("hold", ())]


def test_backtick_run_with_backtick_in_info_is_not_a_fence():
    assert cmds("``` a ` b\n/lgtm") == [("lgtm", ())]


def test_indented_code_block_after_blank_line_is_ignored():
    assert cmds("Example:\n\n    /lgtm\n\n    /hold\n/label bug") == [("label", ("bug",))]


def test_indented_code_block_at_start_of_body_is_ignored():
    assert parse("    /lgtm") == []
    assert parse("\t/lgtm") == []


def test_indented_line_continuing_a_paragraph_is_a_command():
    assert cmds("Some text\n    /lgtm") == [("lgtm", ())]


def test_block_quotes_are_ignored():
    body = "> /lgtm\n>/hold\n   > /approve\n> > /label bug\n"
    assert parse(body) == []


def test_reply_quoting_a_previous_command_only_runs_the_new_one():
    body = "> /assign @alice\n> please take this\n\nActually:\n/assign @bob"
    assert parse(body) == [Command("assign", ("bob",), 5)]


def test_html_comments_are_ignored():
    assert cmds("<!-- /lgtm -->\n/hold") == [("hold", ())]


def test_multi_line_html_comment_is_ignored():
    body = "<!--\n/lgtm\n/label bug\n-->\n/hold"
    assert parse(body) == [Command("hold", (), 5)]


def test_html_comment_after_a_command_is_dropped_from_its_arguments():
    assert cmds("/label bug <!-- added by template -->") == [("label", ("bug",))]
    assert cmds("/label bug <!-- starts here\n/lgtm\n-->") == [("label", ("bug",))]


def test_unclosed_html_comment_runs_to_the_end():
    assert cmds("/hold\n<!--\n/lgtm") == [("hold", ())]


def test_fence_inside_html_comment_does_not_open():
    assert cmds("<!--\n```\n-->\n/lgtm") == [("lgtm", ())]


def test_comment_marker_inside_fence_is_code():
    assert cmds("```\n<!--\n```\n/lgtm") == [("lgtm", ())]


# --- typed errors ------------------------------------------------------------------------------------------

def test_unknown_command_is_an_error_with_help_hint():
    error = only_error("Hi\n/foo bar")
    assert error == CommandError("/foo bar", 2, error.message)
    assert "/foo" in error.message and "/help" in error.message


@pytest.mark.parametrize(("body", "fragment"), [
    ("/label", "needs at least one label"),
    ("/remove-label", "needs exactly one label"),
    ("/remove-label bug docs", "needs exactly one label"),
    ("/lgtm maybe", "`maybe` is not understood"),
    ("/hold cancel now", "takes at most one argument"),
    ("/unassign @alice", "takes no arguments"),
    ("/evaluate please", "takes no arguments"),
    ("/assign @alice @bob", "takes at most one user"),
    ("/assign @-alice", "not a valid GitHub user name"),
    ("/assign @al--ice", "not a valid GitHub user name"),
    ("/assign @" + "a" * 40, "not a valid GitHub user name"),
    ("/assign @alice!", "not a valid GitHub user name"),
    ('/label "good first issue', "unbalanced quote"),
    ('/label ""', "not a valid label"),
    ("/label " + "x" * 51, "not a valid label"),
])
def test_wrong_arguments_are_errors(body, fragment):
    error = only_error(body)
    assert fragment in error.message
    assert "Usage: `/" in error.message
    assert error.line == 1 and error.text == body


def test_errors_never_raise_and_keep_their_place():
    items = parse("/lgtm\n/foo\n/label\n/hold")
    assert [type(item).__name__ for item in items] == ["Command", "CommandError", "CommandError", "Command"]
    assert [item.line for item in items] == [1, 2, 3, 4]


def test_longest_valid_login_is_accepted():
    assert cmds("/assign " + "a" * 39) == [("assign", ("a" * 39,))]


# --- edited comments ---------------------------------------------------------------------------------------

def test_edit_runs_only_newly_added_commands():
    old = "/label bug\nThanks"
    new = "/label bug\nThanks\n/lgtm"
    assert new_commands(old, new) == [Command("lgtm", (), 3)]


def test_edit_without_new_commands_runs_nothing():
    assert new_commands("/lgtm\ntypo", "/lgtm\nfixed typo\n") == []


def test_new_comment_is_an_edit_from_empty():
    assert new_commands("", "/hold\n/lgtm") == parse("/hold\n/lgtm")


def test_edit_comparison_uses_normalised_commands():
    old = "/LGTM\n/label   Bug\n/assign @Alice"
    new = "text\n/lgtm\n/label bug\n/assign alice"
    assert new_commands(old, new) == []


def test_repeated_identical_command_counts_only_beyond_old_count():
    old = "/label bug"
    assert new_commands(old, "/label bug\n/label bug") == [Command("label", ("bug",), 2)]
    assert new_commands("/label bug\n/label bug", "/label bug\n/label bug") == []


def test_command_moved_into_a_quote_is_not_new():
    assert new_commands("/lgtm", "> /lgtm\n/lgtm") == []


def test_removed_commands_do_not_run():
    assert new_commands("/lgtm\n/hold", "/lgtm") == []


def test_errors_already_reported_are_not_reported_again():
    old = "/foo"
    new = "/foo\n/label"
    [error] = new_commands(old, new)
    assert isinstance(error, CommandError) and error.text == "/label"


def test_key_distinguishes_arguments():
    assert key(Command("lgtm", (), 1)) != key(Command("lgtm", ("cancel",), 1))
    assert key(Command("label", ("Bug",), 1)) == key(Command("label", ("bug",), 9))


# --- help --------------------------------------------------------------------------------------------------

def test_help_lists_every_command_exactly_once():
    text = help_text()
    rows = [line for line in text.splitlines() if line.startswith("| `/")]
    names = [row.split("`")[1].split()[0].lstrip("/") for row in rows]
    assert sorted(names) == sorted(spec.name for spec in SPECS)
    assert len(names) == len(set(names)) == len(SPECS)  # every helper's command, once


def test_help_shows_argument_usage():
    text = help_text()
    for usage in ("/assign [@user]", "/unassign", "/label label […]", "/remove-label label", "/lgtm [cancel]",
                  "/approve [cancel]", "/hold [cancel]", "/evaluate", "/spam", "/help"):
        assert f"| `{usage}` |" in text
    assert text.startswith("| Command | What it does |\n| --- | --- |\n")


def test_every_usage_in_help_parses_back():
    for spec in SPECS:
        example = spec.usage.replace("[", "").replace("]", "").replace(" …", "").replace("@user", "@octocat")
        example = example.replace("label label", "label bug").replace("remove-label label", "remove-label bug")
        item = parse(example)[0]
        assert isinstance(item, Command) and item.name == spec.name, (example, item)
