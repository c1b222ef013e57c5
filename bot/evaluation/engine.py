"""Score lm-eval requests on a loaded model, fast and to lm-eval's numbers (EVAL.md §2-3).

What is computed is exactly ``HFLM._loglikelihood_tokens``: for each ``(context, continuation)`` token pair the
model input is ``(ctx + cont)[-(max_length + 1):][:-1]`` and the log-softmax at the last ``len(cont)`` positions
is gathered at the continuation tokens. How it is computed differs, for speed:

- **Shared contexts.** The inputs of one document's choices share a prefix (the context); the prefix is put
  in the batch once and each choice's remaining tokens branch off it (``Group``).
- **Packing, no padding.** Groups are sorted by length and packed into rows of a token budget; a 4-D
  attention mask keeps every group (and every branch) to itself and position ids restart per group, so the
  model sees exactly what it would see for each input alone.
- **Only the scored positions** go through the output layer and the log-softmax.

Packing relies on the model honouring a 4-D mask and position ids; ``packing_supported`` checks that once
per model against a plain forward pass and the engine falls back to one unpadded input per call otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.evaluation.model import LoadedModel

MIN_ROW_TOKENS = 256
#: Scored positions per output-layer call.
OUTPUT_CHUNK = 2048
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Unit:
    """One scored input: ``tokens`` is the model input, ``targets`` the continuation scored at its tail."""

    tokens: tuple[int, ...]
    targets: tuple[int, ...]


@dataclass
class Group:
    """Units sharing ``prefix``: each branch is the rest of one unit's input after the prefix."""

    prefix: tuple[int, ...]
    units: list[int] = field(default_factory=list)  # indices into the unit list
    branches: list[tuple[int, ...]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.prefix) + sum(len(b) for b in self.branches)


def make_unit(context: Sequence[int], continuation: Sequence[int], max_length: int) -> Unit:
    """The input and targets of one request, with lm-eval's left truncation."""
    if not continuation:
        raise ValueError("an empty continuation has nothing to score")
    if len(continuation) > max_length:
        raise ValueError(f"a continuation of {len(continuation)} tokens does not fit max_length {max_length}")
    whole = [*context, *continuation]
    return Unit(tuple(whole[-(max_length + 1) :][:-1]), tuple(continuation))


def _common_prefix(sequences: Sequence[Sequence[int]]) -> int:
    first = sequences[0]
    n = min(len(s) for s in sequences)
    for i in range(n):
        token = first[i]
        if any(s[i] != token for s in sequences):
            return i
    return n


def make_groups(units: Sequence[Unit], families: Sequence[Sequence[int]]) -> list[Group]:
    """One group per family (unit indices that may share a prefix, e.g. one document's choices)."""
    groups = []
    for family in families:
        inputs = [units[i].tokens for i in family]
        shared = _common_prefix(inputs) if len(inputs) > 1 else len(inputs[0])
        group = Group(prefix=tuple(inputs[0][:shared]))
        for i, tokens in zip(family, inputs, strict=True):
            group.units.append(i)
            group.branches.append(tuple(tokens[shared:]))
        groups.append(group)
    return groups


def pack(groups: Sequence[Group], capacity: int) -> list[list[Group]]:
    """First-fit decreasing: groups, longest first, into rows of at most ``capacity`` tokens (one group
    larger than ``capacity`` gets a row of its own)."""
    rows: list[list[Group]] = []
    room: list[int] = []
    for group in sorted(groups, key=lambda g: g.size, reverse=True):
        for r, free in enumerate(room):
            if group.size <= free:
                rows[r].append(group)
                room[r] -= group.size
                break
        else:
            rows.append([group])
            room.append(capacity - group.size)
    return rows


def _layout(row: Sequence[Group], units: Sequence[Unit], row_id: int, length: int, tag: int):
    """Token ids, position ids, (group, branch) ids and the scored (row, column, target, unit) entries."""
    ids, pos, grp, br, scored = [], [], [], [], []
    for g, group in enumerate(row):
        start, p = len(ids), len(group.prefix)
        ids += group.prefix
        pos += range(p)
        grp += [tag + g] * p
        br += [-1] * p
        offset = start + p
        for b, (unit_index, branch) in enumerate(zip(group.units, group.branches, strict=True)):
            ids += branch
            pos += range(p, p + len(branch))
            grp += [tag + g] * len(branch)
            br += [b] * len(branch)
            unit = units[unit_index]
            m, n = len(unit.tokens), len(unit.targets)
            for k, j in enumerate(range(m - n, m)):
                column = start + j if j < p else offset + (j - p)
                scored.append((row_id, column, unit.targets[k], unit_index))
            offset += len(branch)
    pad = length - len(ids)
    ids += [0] * pad
    pos += [0] * pad
    grp += range(-1 - tag - len(ids), -1 - tag - len(ids) + pad)  # each padding token alone
    br += [-1] * pad
    return ids, pos, grp, br, scored


def _packed_logprobs(lm: LoadedModel, rows: Sequence[Sequence[Group]], units: Sequence[Unit]) -> list[tuple]:
    import torch

    length = max(sum(g.size for g in row) for row in rows)
    ids, pos, grp, br, scored = [], [], [], [], []
    for r, row in enumerate(rows):
        i, p, g, b, s = _layout(row, units, r, length, tag=r * 1_000_000)
        ids.append(i), pos.append(p), grp.append(g), br.append(b), scored.extend(s)
    device = lm.device
    ids_t = torch.tensor(ids, device=device)
    pos_t = torch.tensor(pos, device=device)
    grp_t = torch.tensor(grp, device=device)
    br_t = torch.tensor(br, device=device)
    mask = (
        (grp_t[:, :, None] == grp_t[:, None, :])
        & (pos_t[:, None, :] <= pos_t[:, :, None])
        & ((br_t[:, None, :] == -1) | (br_t[:, None, :] == br_t[:, :, None]))
    )[:, None]
    hidden = lm.model.base_model(input_ids=ids_t, attention_mask=mask, position_ids=pos_t).last_hidden_state
    head = lm.model.get_output_embeddings()
    picked: list[float] = []
    for start in range(0, len(scored), OUTPUT_CHUNK):  # bounds the (positions x vocabulary) logits in memory
        chunk = scored[start : start + OUTPUT_CHUNK]
        rows_i = torch.tensor([s[0] for s in chunk], device=device)
        cols_i = torch.tensor([s[1] for s in chunk], device=device)
        targets = torch.tensor([s[2] for s in chunk], device=device)
        logprobs = torch.log_softmax(head(hidden[rows_i, cols_i]), dim=-1)
        picked += logprobs.gather(1, targets[:, None])[:, 0].tolist()
    return [(s[3], lp) for s, lp in zip(scored, picked, strict=True)]


def _plain_logprobs(lm: LoadedModel, unit_index: int, unit: Unit) -> list[tuple]:
    import torch

    logits = lm.model(torch.tensor([unit.tokens], device=lm.device)).logits[0]
    n = len(unit.targets)
    logprobs = torch.log_softmax(logits[len(unit.tokens) - n :], dim=-1)
    picked = logprobs.gather(1, torch.tensor(unit.targets, device=lm.device)[:, None])[:, 0].tolist()
    return [(unit_index, lp) for lp in picked]


def packing_supported(lm: LoadedModel) -> bool:
    """Whether packed rows (4-D mask, restarting positions, output layer on the hidden states) reproduce a
    plain forward pass of this model; checked once per loaded model."""
    cached = lm.__dict__.get("_packing_ok")
    if cached is not None:
        return cached
    import torch

    ok = False
    if lm.model.get_output_embeddings() is not None and getattr(lm.model, "base_model", None) is not None:
        vocab = int(lm.model.get_output_embeddings().weight.shape[0])
        a = tuple((7 * i + 3) % vocab for i in range(9))
        b = tuple((11 * i + 5) % vocab for i in range(6))
        units = [Unit(a, a[1:] + (1,)), Unit(a[:4] + b, b)]
        try:
            with torch.inference_mode():
                packed = _packed_logprobs(lm, [make_groups(units, [[0, 1]])], units)
                plain = _plain_logprobs(lm, 0, units[0]) + _plain_logprobs(lm, 1, units[1])
            ok = all(abs(x[1] - y[1]) < 1e-3 for x, y in zip(sorted(packed), sorted(plain), strict=True))
        except (RuntimeError, ValueError, TypeError, IndexError, AttributeError, KeyError):
            ok = False
    lm.__dict__["_packing_ok"] = ok
    return ok


def score(
    lm: LoadedModel,
    units: Sequence[Unit],
    families: Sequence[Sequence[int]],
    *,
    batch_size: int = 1,
    progress: Progress | None = None,
) -> list[float]:
    """The loglikelihood of each unit (sum of its targets' log-probs). ``families`` partitions the unit
    indices into prefix-sharing groups. ``batch_size`` rows of ``max(256, longest group)`` tokens run per call."""
    import torch

    picked: list[list[float]] = [[] for _ in units]
    distinct: dict[Unit, int] = {}
    copies: list[tuple[int, int]] = []
    for i, unit in enumerate(units):
        if unit in distinct:
            copies.append((i, distinct[unit]))
        else:
            distinct[unit] = i
    keep = set(distinct.values())
    families = [[i for i in family if i in keep] for family in families]
    families = [f for f in families if f]
    work = sum(len(units[i].tokens) for f in families for i in f)
    done = 0
    with torch.inference_mode():
        if packing_supported(lm):
            groups = make_groups(units, families)
            capacity = max(MIN_ROW_TOKENS, max((g.size for g in groups), default=0))
            rows = pack(groups, capacity)
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                for unit_index, logprob in _packed_logprobs(lm, batch, units):
                    picked[unit_index].append(logprob)
                done += sum(len(units[i].tokens) for row in batch for g in row for i in g.units)
                if progress:
                    progress(min(done, work), work)
        else:
            order = sorted((i for f in families for i in f), key=lambda i: -len(units[i].tokens))
            for unit_index in order:
                for _, logprob in _plain_logprobs(lm, unit_index, units[unit_index]):
                    picked[unit_index].append(logprob)
                done += len(units[unit_index].tokens)
                if progress:
                    progress(done, work)
    # lm-eval sums a continuation's log-probs as one float32 tensor (``logits.sum()``); so do we.
    totals = [float(torch.tensor(values, dtype=torch.float32).sum()) if values else 0.0 for values in picked]
    for copy, original in copies:
        totals[copy] = totals[original]
    return totals
