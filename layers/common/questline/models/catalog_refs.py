"""Checks of a bundle that its shapes cannot express: every referenced currency, achievement,
tier, quest and streak exists, and prerequisites form no cycle. Errors name their path."""

from __future__ import annotations

from questline.models.catalog import Achievement, Catalog
from questline.models.criteria import (
    AchievementCondition,
    CurrencyCondition,
    QuestCondition,
    StreakCondition,
    iter_conditions,
)
from questline.models.leaderboards.catalog import board_reference_errors


def cross_reference_errors(catalog: Catalog) -> list[tuple[str, str]]:
    """References the shapes cannot check: currencies and prerequisites exist, no cycles."""
    errors: list[tuple[str, str]] = []
    currencies = catalog.currency_ids()
    streaks = {s.id for s in catalog.streaks}
    tiers = {a.id: {t.id for t in a.tiers or ()} for a in catalog.achievements}
    for i, rule in enumerate(catalog.xp):
        if rule.currency not in currencies:
            errors.append((f"xp[{i}].currency", f"unknown currency {rule.currency!r}"))
    for i, boost in enumerate(catalog.boosts):
        errors += [
            (f"boosts[{i}].currencies", f"unknown currency {c!r}")
            for c in boost.currencies
            if c not in currencies
        ]
    for i, achievement in enumerate(catalog.achievements):
        grants = list(achievement.rewards) + [r for t in achievement.tiers or () for r in t.rewards]
        errors += [
            (f"achievements[{i}].rewards", f"unknown currency {g.currency!r}")
            for g in grants
            if g.currency not in currencies
        ]
        for node in iter_conditions(achievement.criteria) if achievement.criteria else ():
            if isinstance(node, AchievementCondition):
                if node.achievement not in tiers:
                    errors.append(
                        (f"achievements[{i}].criteria", f"unknown achievement {node.achievement!r}")
                    )
                elif node.tier is not None and node.tier not in tiers[node.achievement]:
                    errors.append(
                        (f"achievements[{i}].criteria", f"unknown tier {node.tier!r} of {node.achievement!r}")
                    )
                elif node.achievement == achievement.id:
                    errors.append((f"achievements[{i}].criteria", "an achievement cannot require itself"))
            if isinstance(node, CurrencyCondition) and node.currency.id not in currencies:
                errors.append((f"achievements[{i}].criteria", f"unknown currency {node.currency.id!r}"))
            if isinstance(node, StreakCondition) and node.streak.id not in streaks:
                errors.append((f"achievements[{i}].criteria", f"unknown streak {node.streak.id!r}"))
    errors += _quest_errors(catalog, currencies)
    errors += board_reference_errors(catalog.boards, currencies, tiers)
    errors += _prerequisite_cycles(catalog)
    return errors


def _quest_errors(catalog: Catalog, currencies: set[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    quests = {q.id for q in catalog.quests}
    achievements = {a.id for a in catalog.achievements}
    for i, pool in enumerate(catalog.quest_pools):
        errors += [
            (f"questPools[{i}].quests", f"unknown quest {q!r}") for q in pool.quests if q not in quests
        ]
    for i, quest in enumerate(catalog.quests):
        grants = list(quest.rewards) + [r for s in quest.steps for r in s.rewards]
        errors += [
            (f"quests[{i}].rewards", f"unknown currency {g.currency!r}")
            for g in grants
            if g.currency not in currencies
        ]
        trees = [("requires", quest.requires)] + [
            (f"steps[{j}].criteria", s.criteria) for j, s in enumerate(quest.steps)
        ]
        for where, tree in trees:
            for node in iter_conditions(tree) if tree is not None else ():
                if isinstance(node, QuestCondition) and node.quest not in quests:
                    errors.append((f"quests[{i}].{where}", f"unknown quest {node.quest!r}"))
                if isinstance(node, AchievementCondition) and node.achievement not in achievements:
                    errors.append((f"quests[{i}].{where}", f"unknown achievement {node.achievement!r}"))
    for i, achievement in enumerate(catalog.achievements):
        for node in iter_conditions(achievement.criteria) if achievement.criteria else ():
            if isinstance(node, QuestCondition) and node.quest not in quests:
                errors.append((f"achievements[{i}].criteria", f"unknown quest {node.quest!r}"))
    return errors


def prerequisites(achievement: Achievement) -> set[str]:
    if achievement.criteria is None:
        return set()
    return {
        n.achievement for n in iter_conditions(achievement.criteria) if isinstance(n, AchievementCondition)
    }


def _prerequisite_cycles(catalog: Catalog) -> list[tuple[str, str]]:
    graph = {a.id: prerequisites(a) for a in catalog.achievements}
    index = {a.id: i for i, a in enumerate(catalog.achievements)}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> list[str] | None:
        if state.get(node) == 1:
            return [*trail, node]
        if state.get(node) == 2 or node not in graph:
            return None
        state[node] = 1
        for nxt in sorted(graph[node]):
            cycle = visit(nxt, [*trail, node])
            if cycle:
                return cycle
        state[node] = 2
        return None

    for start in graph:
        cycle = visit(start, [])
        if cycle:
            return [
                (f"achievements[{index[cycle[0]]}].criteria", "prerequisite cycle: " + " -> ".join(cycle))
            ]
    return []
