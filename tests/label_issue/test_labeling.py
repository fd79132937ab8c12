import pytest

from labeler import config
from labeler.gh import Issue
from labeler.label_issue import event as event_mod
from labeler.label_issue import labeling
from labeler.label_issue.labeling import Settings, State

CFG = config.parse("""
labels:
  - name: bug
    aliases: [defect]
  - name: enhancement
  - name: question
    min-confidence: 0.9
  - name: old
    deprecated: true
  - name: wontfix
    auto: false
  - name: needs-triage
    auto: false
  - name: automated-triage
    auto: false
""")


def issue(**kw):
    raw = {"number": 7, "title": "t", "body": "b", "user": {"login": "alice", "type": "User"}, "labels": []}
    raw.update(kw)
    return Issue.from_event(raw)


def answer(*pairs, rationale="because"):
    return {"labels": [{"name": n, "confidence": c} for n, c in pairs], "rationale": rationale, "version": "1"}


def make_plan(ans, state=State(), iss=None, **settings):
    s = Settings(**{"abstain_label": "needs-triage", **settings})
    return labeling.plan(iss or issue(), ans, CFG, s, state, provider="p", model="m", prompt_version="1")


def test_auto_applies_labels_that_clear_up_to_the_cap():
    p = make_plan(answer(("bug", 0.9), ("enhancement", 0.7), ("question", 0.8)), max_labels=1)
    assert p.apply == ("bug",)
    assert [(x.name, x.clears) for x in p.picks] == [("bug", True), ("question", False), ("enhancement", True)]
    assert not p.abstained


def test_only_labels_from_the_config_are_ever_applied():
    p = make_plan(answer(("pwned", 1.0), ("old", 1.0), ("wontfix", 1.0), ("needs-triage", 1.0), ("DEFECT", 0.8)))
    assert p.apply == ("bug",)
    assert p.dropped == 4


def test_aliases_map_and_duplicates_keep_the_best_confidence():
    p = make_plan(answer(("defect", 0.5), ("bug", 0.7)))
    assert [(x.name, x.confidence) for x in p.picks] == [("bug", 0.7)]


def test_nothing_clears_means_the_abstention_label():
    p = make_plan(answer(("bug", 0.2)))
    assert p.abstained and p.apply == ("needs-triage",)
    assert make_plan(answer(), abstain_label=None).apply == ()


def test_confident_stage_applies_only_when_every_pick_clears():
    assert make_plan(answer(("bug", 0.9), ("enhancement", 0.3)), stage="confident").apply == ()
    assert make_plan(answer(("bug", 0.9), ("enhancement", 0.7)), stage="confident").apply == ("bug", "enhancement")


def test_suggest_stage_applies_nothing_even_when_abstaining():
    assert make_plan(answer(("bug", 0.99)), stage="suggest").apply == ()
    assert make_plan(answer(), stage="suggest").apply == ()


def test_labels_already_present_are_not_added_again():
    p = make_plan(answer(("bug", 0.9)), iss=issue(labels=[{"name": "Bug"}]))
    assert p.apply == ()


def test_confidence_out_of_range_is_clamped():
    p = make_plan({"labels": [{"name": "bug", "confidence": 7}], "rationale": "", "version": "1"})
    assert p.picks[0].confidence == 1.0


def test_the_abstention_label_is_removed_only_when_the_bot_applied_it():
    present = issue(labels=[{"name": "needs-triage"}])
    ours = make_plan(answer(("bug", 0.9)), state=State(applied=("needs-triage",)), iss=present)
    assert ours.apply == ("bug",) and ours.remove == ("needs-triage",)
    human = make_plan(answer(("bug", 0.9)), state=State(), iss=present)
    assert human.remove == ()


def test_state_round_trips_and_ignores_garbage():
    s = State(off=True, applied=("bug",))
    assert State.parse("hello\n" + s.line()) == s
    assert State.parse("<!-- labeler-state {not json} -->") == State()
    assert State.parse('<!-- labeler-state {"off": "yes", "applied": "bug"} -->') == State()


def event(
    action="created",
    body="/label auto",
    login="alice",
    assoc="NONE",
    user_type="User",
    issue_user="alice",
    pr=False,
    previous=None,
):
    raw = {
        "action": action,
        "comment": {"body": body, "user": {"login": login, "type": user_type}, "author_association": assoc},
        "issue": {
            "number": 3,
            "title": "t",
            "body": "b",
            "user": {"login": issue_user},
            "labels": [],
            **({"pull_request": {"url": "x"}} if pr else {}),
        },
    }
    if previous is not None:
        raw["changes"] = {"body": {"from": previous}}
    return raw


@pytest.mark.parametrize(
    "kw, action",
    [
        ({}, "label"),
        ({"body": "/label off"}, "off"),
        ({"login": "mallory", "issue_user": "alice"}, "skip"),
        ({"login": "maint", "assoc": "MEMBER"}, "label"),
        ({"login": "maint", "assoc": "COLLABORATOR"}, "label"),
        ({"login": "maint", "assoc": "CONTRIBUTOR"}, "skip"),
        ({"user_type": "Bot"}, "skip"),
        ({"login": "github-actions[bot]", "issue_user": "github-actions[bot]"}, "skip"),
        ({"body": "> /label auto"}, "skip"),
        ({"body": "/label nonsense"}, "skip"),
        ({"action": "deleted"}, "skip"),
        ({"action": "edited", "previous": "/label auto"}, "skip"),
        ({"action": "edited", "body": "/label off", "previous": "/label auto"}, "off"),
    ],
)
def test_comment_triggers(kw, action):
    assert event_mod.read_trigger("issue_comment", event(**kw)).action == action


def test_issue_triggers():
    opened = {"action": "opened", "issue": {"number": 1, "title": "t"}}
    assert event_mod.read_trigger("issues", opened).action == "label"
    edited = {"action": "edited", "issue": {"number": 1}, "changes": {"labels": {}}}
    assert event_mod.read_trigger("issues", edited).action == "skip"
    edited["changes"] = {"body": {"from": "x"}}
    assert event_mod.read_trigger("issues", edited).action == "label"
    assert event_mod.read_trigger("issues", {"action": "closed", "issue": {"number": 1}}).action == "skip"
    assert event_mod.read_trigger("push", {}).action == "skip"


def test_dispatch_needs_a_number():
    assert event_mod.read_trigger("workflow_dispatch", {"inputs": {"issue-number": "12"}}).number == 12
    assert event_mod.read_trigger("workflow_dispatch", {"inputs": {"issue-number": "12; rm -rf /"}}).action == "skip"
    assert event_mod.read_trigger("workflow_dispatch", {}).action == "skip"
    assert event_mod.read_trigger("", {}, number=5).forced


def test_a_malformed_issue_is_a_user_error():
    from labeler.errors import UserError

    with pytest.raises(UserError):
        event_mod.read_trigger("issues", {"action": "opened", "issue": {"title": "no number"}})
    with pytest.raises(UserError):
        event_mod.read_trigger("issues", {"action": "opened", "issue": "string"})


def test_skip_reasons():
    t = labeling.Trigger("label", "x")
    assert labeling.skip_reason(issue(pull_request={"url": "u"}), State(), t)
    assert labeling.skip_reason(issue(user={"login": "dependabot[bot]", "type": "Bot"}), State(), t)
    assert labeling.skip_reason(issue(), State(off=True), t)
    assert labeling.skip_reason(issue(), State(off=True), labeling.Trigger("label", "x", forced=True)) is None


def test_no_abstention_label_when_a_human_already_labeled():
    assert make_plan(answer(("bug", 0.1)), iss=issue(labels=[{"name": "enhancement"}])).apply == ()
    assert make_plan(answer(("bug", 0.1)), iss=issue(labels=[{"name": "wontfix"}])).apply == ("needs-triage",)


def test_provenance_label_goes_with_real_labels_only():
    assert make_plan(answer(("bug", 0.9)), provenance_label="automated-triage").apply == ("bug", "automated-triage")
    assert make_plan(answer(("bug", 0.1)), provenance_label="automated-triage").apply == ("needs-triage",)
    assert make_plan(answer(("bug", 0.9)), provenance_label="automated-triage", stage="suggest").apply == ()
