"""bot.evaluation.suite: lm-eval task YAML subset (EVAL.md §1), templates, rejections and path confinement."""

import json
import os

import pytest

from bot.evaluation import prompts
from bot.evaluation.suite import Metric, SuiteError, Task, load_suite, load_task

POLARITY = [
    {"sentence": "A joyless, tedious film.", "label": 0},
    {"sentence": "A warm and witty delight.", "label": 1},
]
MC_YAML = """\
task: pol_np
output_type: multiple_choice
dataset_path: json
dataset_kwargs:
  data_files:
    test: data/polarity.jsonl
test_split: test
doc_to_text: "{{sentence}}\\nQuestion: Is this sentence positive or negative?\\nAnswer:"
doc_to_target: label
doc_to_choice: ["negative", "positive"]
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
metadata:
  version: 1.0
"""
PPL_YAML = """\
task: lee_ppl
output_type: loglikelihood_rolling
dataset_path: json
dataset_kwargs:
  data_files: ../data/lee.jsonl
test_split: train
doc_to_text: ""
doc_to_target: text
metadata:
  version: 2
"""


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(docs):
    return "".join(json.dumps(doc) + "\n" for doc in docs)


def mc_task(root, yaml_text=MC_YAML, docs=POLARITY):
    write(root, "suites/data/polarity.jsonl", jsonl(docs))
    write(root, "suites/pol.yaml", yaml_text)
    return load_task("suites/pol.yaml", root)


def mc_error(root, yaml_text, docs=POLARITY):
    with pytest.raises(SuiteError) as info:
        mc_task(root, yaml_text, docs)
    return str(info.value)


# --- loading the two kinds of task --------------------------------------------------------------------


def test_multiple_choice_yaml_loads_into_the_expected_task(tmp_path):
    task = mc_task(tmp_path)
    assert task == Task(
        name="pol_np",
        output_type="multiple_choice",
        version=1.0,
        source="suites/pol.yaml",
        data_file="suites/data/polarity.jsonl",
        test_split="test",
        doc_to_text="{{sentence}}\nQuestion: Is this sentence positive or negative?\nAnswer:",
        doc_to_target="label",
        doc_to_choice=("negative", "positive"),
        target_delimiter=" ",
        fewshot_delimiter="\n\n",
        metrics=(Metric("acc", "mean", True), Metric("acc_norm", "mean", True)),
        features=("sentence", "label"),
        documents=tuple(POLARITY),
    )
    doc = task.documents[1]
    assert task.text(doc) == "A warm and witty delight.\nQuestion: Is this sentence positive or negative?\nAnswer:"
    assert task.target(doc) == 1
    assert task.choices(doc) == ["negative", "positive"]


def test_perplexity_yaml_with_a_plain_data_file_is_split_train_and_gets_default_metrics(tmp_path):
    docs = [{"text": "The cat sat.", "id": 1}, {"text": " a b ", "id": 2}]
    write(tmp_path, "data/lee.jsonl", jsonl(docs))
    write(tmp_path, "suites/lee.yaml", PPL_YAML)
    task = load_task(tmp_path / "suites" / "lee.yaml", tmp_path)  # an absolute path inside the root is fine
    assert task == Task(
        name="lee_ppl",
        output_type="loglikelihood_rolling",
        version=2,
        source="suites/lee.yaml",
        data_file="data/lee.jsonl",
        test_split="train",
        doc_to_text="",
        doc_to_target="text",
        doc_to_choice=None,
        target_delimiter=" ",
        fewshot_delimiter="\n\n",
        metrics=(
            Metric("word_perplexity", "weighted_perplexity", False),
            Metric("byte_perplexity", "weighted_perplexity", False),
            Metric("bits_per_byte", "bits_per_byte", False),
        ),
        features=("text", "id"),
        documents=tuple(docs),
    )
    assert [task.target(d) for d in task.documents] == ["The cat sat.", " a b "]


def test_defaults_test_split_and_delimiters(tmp_path):
    text = MC_YAML.replace("test_split: test\n", "").replace("metric_list:", "target_delimiter: ''\nmetric_list:")
    task = mc_task(tmp_path, text)
    assert (task.test_split, task.target_delimiter, task.fewshot_delimiter) == ("test", "", "\n\n")


def test_json_array_file_and_missing_fields_filled_with_none(tmp_path):
    write(tmp_path, "suites/data/polarity.jsonl", json.dumps([{"sentence": "x", "label": 0}, {"label": 1, "extra": 2}]))
    write(tmp_path, "suites/pol.yaml", MC_YAML.replace("{{sentence}}", "{{sentence or 'none'}}"))
    task = load_task("suites/pol.yaml", tmp_path)
    assert task.features == ("sentence", "label", "extra")
    assert task.documents[1] == {"sentence": None, "label": 1, "extra": 2}
    assert task.text(task.documents[1]).startswith("none\n")


def test_json_lines_skip_blank_lines_and_report_a_bad_line(tmp_path):
    mc_task(tmp_path)
    write(tmp_path, "suites/data/polarity.jsonl", '{"sentence": "a", "label": 0}\n\n{"sentence": "b", "label": 1}\n')
    assert len(load_task("suites/pol.yaml", tmp_path).documents) == 2
    write(tmp_path, "suites/data/polarity.jsonl", '{"sentence": "a", "label": 0}\n{"sentence": \n')
    with pytest.raises(SuiteError, match=r"^suites/data/polarity.jsonl: line 2: not JSON"):
        load_task("suites/pol.yaml", tmp_path)
    write(tmp_path, "suites/data/polarity.jsonl", "[1, 2]")
    with pytest.raises(SuiteError, match="line 1: expected a JSON object, got int"):
        load_task("suites/pol.yaml", tmp_path)
    write(tmp_path, "suites/data/polarity.jsonl", "\n")
    with pytest.raises(SuiteError, match="no documents"):
        load_task("suites/pol.yaml", tmp_path)


def test_suite_of_several_files_and_duplicate_task_names(tmp_path):
    mc_task(tmp_path)
    write(
        tmp_path,
        "suites/pol_be.yaml",
        MC_YAML.replace("pol_np", "pol_be").replace('"negative", "positive"', "bad, excellent"),
    )
    suite = load_suite("mc", ["suites/pol.yaml", "suites/pol_be.yaml"], tmp_path)
    assert [t.name for t in suite.tasks] == ["pol_np", "pol_be"]
    assert suite.task("pol_be").choices(POLARITY[0]) == ["bad", "excellent"]
    with pytest.raises(KeyError):
        suite.task("nope")
    with pytest.raises(SuiteError, match=r"^suites/pol.yaml: task: 'pol_np' is already defined"):
        load_suite("mc", ["suites/pol.yaml", "suites/pol.yaml"], tmp_path)
    with pytest.raises(SuiteError, match="no task files"):
        load_suite("mc", [], tmp_path)


# --- lm-eval's doc_to_* semantics ---------------------------------------------------------------------

DOC = {"q": "2+2?", "label": 1, "answer": "four", "opts": ["three", "four"], "n": 3}
FEATURES = tuple(DOC)


def test_a_bare_field_name_selects_the_raw_value_anything_else_is_a_template():
    assert prompts.doc_to_text("q", DOC, FEATURES, True) == "2+2?"
    assert prompts.doc_to_text("label", DOC, FEATURES, True) == 1  # raw, not rendered (lm-eval: multiple input)
    assert prompts.doc_to_text("question", DOC, FEATURES, True) == "question"  # not a field: a literal template
    assert prompts.doc_to_text("Q: {{q}}\nA:", DOC, FEATURES, True) == "Q: 2+2?\nA:"
    assert prompts.doc_to_text("{{q}}\n", DOC, FEATURES, True) == "2+2?\n"  # keep_trailing_newline


def test_digit_renderings_become_ints_only_when_the_task_has_choices():
    assert prompts.doc_to_text("{{n}}", DOC, FEATURES, True) == 3
    assert prompts.doc_to_text("{{n}}", DOC, FEATURES, False) == "3"
    assert prompts.doc_to_target("{{label}}", DOC, FEATURES, True) == 1
    assert prompts.doc_to_target("{{label}}", DOC, FEATURES, False) == "1"


def test_doc_to_target_int_string_field_and_list_literal():
    assert prompts.doc_to_target(0, DOC, FEATURES, True) == 0
    assert prompts.doc_to_target("answer", DOC, FEATURES, True) == "four"
    assert prompts.doc_to_target("{{answer}}", DOC, FEATURES, True) == "four"
    assert prompts.doc_to_target("{{opts}}", DOC, FEATURES, True) == ["three", "four"]
    assert prompts.doc_to_target("[not a literal]", DOC, FEATURES, True) == "[not a literal]"
    assert prompts.doc_to_target(["a", "b"], DOC, FEATURES, True) == ["a", "b"]
    with pytest.raises(prompts.PromptError, match="not a Python literal"):
        prompts.doc_to_target("[{[]: 1}]", DOC, FEATURES, True)  # literal_eval raises TypeError: unhashable


def test_doc_to_choice_list_dict_field_and_template():
    assert prompts.doc_to_choice(["x", "y"], DOC, FEATURES) == ["x", "y"]
    assert prompts.doc_to_choice({"A": "x", "B": "y"}, DOC, FEATURES) == ["x", "y"]
    assert prompts.doc_to_choice("opts", DOC, FEATURES) == ["three", "four"]
    assert prompts.doc_to_choice("{{opts}}", DOC, FEATURES) == ["three", "four"]
    assert prompts.doc_to_choice("['{{answer}}', 'five']", DOC, FEATURES) == ["four", "five"]
    with pytest.raises(prompts.PromptError, match="not a Python literal"):
        prompts.doc_to_choice("{{q}}", DOC, FEATURES)


def test_regex_replace_filter_as_in_lm_eval():
    assert prompts.render("{{ q | regex_replace('[?]', '') }}", DOC) == "2+2"


@pytest.mark.parametrize(
    "template",
    ["{{ missing }}", "{{ q.__class__.__mro__ }}", "{{ opts.append('x') }}", "{{ q | regex_replace('(', '') }}"],
)
def test_strict_undefined_and_the_sandbox_refuse(template):
    with pytest.raises(prompts.PromptError, match="template failed"):
        prompts.render(template, DOC)
    assert DOC["opts"] == ["three", "four"]


def test_template_syntax_error():
    with pytest.raises(prompts.PromptError, match="invalid Jinja template"):
        prompts.render("{{ q ", DOC)


# --- rejections -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("doc_to_text:", "doc_to_txt:", "suites/pol.yaml: doc_to_txt: unknown key; did you mean doc_to_text?"),
        ("test_split: test", "test_split: test\nnum_fewshot: 5", "num_fewshot: only 0 (zero-shot) is supported"),
        ("test_split: test", "test_split: test\ninclude: base.yaml", "include: unknown key; expected one of task,"),
        (
            "  - metric: acc_norm",
            "  - metric: acc_norm\n    ignore_case: true",
            "metric_list[1].ignore_case: unknown key",
        ),
        (
            "  - metric: acc_norm",
            "  - metric: exact_match",
            "metric_list[1].metric: multiple_choice supports acc, acc_norm",
        ),
        ("    aggregation: mean", "    aggregation: bits_per_byte", "metric_list[0].aggregation: acc supports mean"),
        ("    higher_is_better: true", "    higher_is_better: 1", "metric_list[0].higher_is_better: expected true or"),
        ("  - metric: acc_norm", "  - metric: acc", "metric_list[1].metric: 'acc' is listed twice"),
        ("  version: 1.0", "  version: 1.0\n  author: me", "metadata.author: unknown key"),
        ("metadata:\n  version: 1.0", "metadata: {}", "metadata.version: required key is missing"),
        ("    test: data", "    tset: data", "test_split: 'test' is not a split of dataset_kwargs.data_files"),
        ("  data_files:", "  data_file:", "dataset_kwargs.data_file: unknown key; did you mean data_files?"),
        ("dataset_path: json", "dataset_path: super_glue", "dataset_path: only 'json'"),
        ("output_type: multiple_choice", "output_type: generate_until", "output_type: expected one of multiple_choice"),
        ("task: pol_np", "task: [pol_np]", "task: expected str, got a list"),
        ("task: pol_np", "task: true", "task: expected str, got a boolean"),
        ("test_split: test", "test_split: test\ntarget_delimiter: 1", "target_delimiter: expected str, got int"),
        ("doc_to_target: label", "doc_to_target: 1.5", "doc_to_target: expected a field name, a template or an int"),
        ('doc_to_choice: ["negative", "positive"]', "doc_to_choice: [1, 2]", "doc_to_choice: a list of choices must"),
        ('doc_to_choice: ["negative", "positive"]', "", "doc_to_choice: required for multiple_choice"),
        ("doc_to_target: label\n", "", "doc_to_target: required key is missing"),
        (
            "doc_to_text: ",
            "doc_to_text: !function utils.doc_to_text\nx: ",
            "YAML tags such as !function are not allowed",
        ),
        ("doc_to_target: label", "doc_to_target: '{{ label'", "doc_to_target: invalid Jinja template"),
    ],
)
def test_rejections_are_path_qualified(tmp_path, old, new, message):
    assert old in MC_YAML
    assert message in mc_error(tmp_path, MC_YAML.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  version: 1.0", "  - 1.0", "metadata: expected a mapping, got a list"),
        (
            "dataset_kwargs:\n  data_files:\n    test: data/polarity.jsonl",
            "dataset_kwargs: x",
            "dataset_kwargs: expected a",
        ),
        (
            "  data_files:\n    test: data/polarity.jsonl",
            "  data_files: [a]",
            "data_files: expected a path or a mapping",
        ),
        (
            "    test: data/polarity.jsonl",
            "    test: [a]",
            "dataset_kwargs.data_files.test: expected a path, got a list",
        ),
        (
            MC_YAML[MC_YAML.index("metric_list:") : MC_YAML.index("metadata:")],
            "metric_list: []\n",
            "metric_list: expected a non",
        ),
        ("  - metric: acc_norm", "  - acc_norm", "metric_list[1]: expected a mapping, got a string"),
        ("  - metric: acc_norm", "  - aggregation: mean", "metric_list[1].metric: required key is missing"),
        ('doc_to_choice: ["negative", "positive"]', "doc_to_choice: 3", "doc_to_choice: expected a field name, a"),
        ('doc_to_choice: ["negative", "positive"]', "doc_to_choice: '{{sentence}}'", "document 0: rendered"),
        ('doc_to_choice: ["negative", "positive"]', "doc_to_choice: '[]'", "document 0: doc_to_choice must give a"),
    ],
)
def test_more_rejections(tmp_path, old, new, message):
    assert old in MC_YAML
    assert message in mc_error(tmp_path, MC_YAML.replace(old, new))


def test_doc_to_choice_mapping_keeps_its_values(tmp_path):
    text = MC_YAML.replace('doc_to_choice: ["negative", "positive"]', "doc_to_choice: {A: negative, B: positive}")
    assert mc_task(tmp_path, text).doc_to_choice == ("negative", "positive")


def test_choices_of_a_task_without_them(tmp_path):
    write(tmp_path, "data/lee.jsonl", jsonl([{"text": "x"}]))
    write(tmp_path, "suites/lee.yaml", PPL_YAML)
    with pytest.raises(ValueError, match="has no doc_to_choice"):
        load_task("suites/lee.yaml", tmp_path).choices({"text": "x"})


def test_data_must_be_utf8(tmp_path):
    mc_task(tmp_path)
    (tmp_path / "suites/data/polarity.jsonl").write_bytes(b'{"sentence": "caf\xe9", "label": 0}\n')
    with pytest.raises(SuiteError, match="polarity.jsonl: not UTF-8"):
        load_task("suites/pol.yaml", tmp_path)


def test_rejected_documents_are_reported_by_number(tmp_path):
    bad_gold = [POLARITY[0], {"sentence": "x", "label": 2}]
    assert mc_error(tmp_path, MC_YAML, bad_gold).startswith(
        "suites/data/polarity.jsonl: document 1: doc_to_target gave 2, not one of the choices or an index into 2"
    )
    assert "document 0: template failed: UndefinedError" in mc_error(tmp_path, MC_YAML.replace("{{sentence}}", "{{s}}"))
    only_label = MC_YAML.replace(MC_YAML.split("\n")[7], "doc_to_text: label")
    assert "doc_to_text gave int; multiple-input tasks" in mc_error(tmp_path, only_label)
    text = MC_YAML.replace("doc_to_target: label", "doc_to_target: '{{sentence}}'")
    assert "not one of the choices" in mc_error(tmp_path, text)


def test_rolling_target_must_be_text(tmp_path):
    write(tmp_path, "data/lee.jsonl", jsonl([{"text": 5}]))
    write(tmp_path, "suites/lee.yaml", PPL_YAML)
    with pytest.raises(SuiteError, match="document 0: doc_to_target must give the text to score, got int"):
        load_task("suites/lee.yaml", tmp_path)
    write(tmp_path, "suites/lee.yaml", PPL_YAML + "doc_to_choice: [a, b]\n")
    with pytest.raises(SuiteError, match="doc_to_choice: only multiple_choice tasks have choices"):
        load_task("suites/lee.yaml", tmp_path)


def test_not_a_mapping_and_not_yaml(tmp_path):
    write(tmp_path, "a.yaml", "- task: x\n")
    with pytest.raises(SuiteError, match="^a.yaml: expected a mapping of lm-eval task keys, got a list"):
        load_task("a.yaml", tmp_path)
    write(tmp_path, "a.yaml", "task: [\n")
    with pytest.raises(SuiteError, match="^a.yaml: not valid YAML"):
        load_task("a.yaml", tmp_path)


# --- path confinement: PR content is untrusted -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_file", "problem"),
    [
        ("../../outside.jsonl", "the path leads outside the repository"),
        ("../../repo2/x.jsonl", "the path leads outside the repository"),
        ("/etc/passwd", "expected a plain path relative to the suite file"),
        ("https://example.com/x.jsonl", "expected a plain path relative to the suite file"),
        ("hf://datasets/x/y.jsonl", "expected a plain path relative to the suite file"),
        ("data/*.jsonl", "expected a plain path relative to the suite file"),
        ("data\\\\polarity.jsonl", "expected a plain path relative to the suite file"),
        ("data/nothing.jsonl", "no such file"),
        ("data", "no such file"),
    ],
)
def test_data_files_must_stay_inside_the_root(tmp_path, data_file, problem):
    root = tmp_path / "repo"
    write(tmp_path, "outside.jsonl", jsonl(POLARITY))
    write(tmp_path, "repo2/x.jsonl", jsonl(POLARITY))
    message = mc_error(root, MC_YAML.replace("data/polarity.jsonl", data_file))
    assert message.startswith("suites/pol.yaml: dataset_kwargs.data_files.test: ")
    assert problem in message


def test_dotdot_that_stays_inside_the_root_is_fine(tmp_path):
    write(tmp_path, "data/polarity.jsonl", jsonl(POLARITY))
    task = mc_task(tmp_path, MC_YAML.replace("data/polarity.jsonl", "../data/polarity.jsonl"))
    assert task.data_file == "data/polarity.jsonl"


def test_a_symlink_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "repo"
    secret = write(tmp_path, "secret.jsonl", jsonl(POLARITY))
    write(root, "suites/data/.keep", "")
    os.symlink(secret, root / "suites" / "data" / "link.jsonl")
    message = mc_error(root, MC_YAML.replace("polarity.jsonl", "link.jsonl"))
    assert "the path leads outside the repository" in message
    os.symlink(tmp_path, root / "suites" / "up")
    assert "outside the repository" in mc_error(root, MC_YAML.replace("data/polarity.jsonl", "up/secret.jsonl"))


def test_a_symlink_inside_the_root_is_followed(tmp_path):
    write(tmp_path, "shared/polarity.jsonl", jsonl(POLARITY))
    (tmp_path / "suites" / "data").mkdir(parents=True)
    os.symlink(tmp_path / "shared" / "polarity.jsonl", tmp_path / "suites" / "data" / "polarity.jsonl")
    write(tmp_path, "suites/pol.yaml", MC_YAML)
    assert load_task("suites/pol.yaml", tmp_path).data_file == "shared/polarity.jsonl"


def test_the_yaml_itself_must_be_inside_the_root(tmp_path):
    write(tmp_path, "elsewhere.yaml", MC_YAML)
    (tmp_path / "repo").mkdir()
    for file in ["../elsewhere.yaml", str(tmp_path / "elsewhere.yaml"), "missing.yaml"]:
        with pytest.raises(SuiteError, match="not a file inside the repository"):
            load_task(file, tmp_path / "repo")


def test_oversized_files_are_refused_before_parsing(tmp_path, monkeypatch):
    from bot.evaluation import files

    mc_task(tmp_path)
    monkeypatch.setattr(files, "MAX_DATA_BYTES", 10)
    with pytest.raises(SuiteError, match="polarity.jsonl: the file is larger than 10 bytes"):
        load_task("suites/pol.yaml", tmp_path)
    monkeypatch.setattr(files, "MAX_YAML_BYTES", 10)
    with pytest.raises(SuiteError, match="pol.yaml: the file is larger than 10 bytes"):
        load_task("suites/pol.yaml", tmp_path)
