"""Word classes the rules checker reads statements with: metrics, directions, units, vague words.

Each class is an open family written as patterns (stems, suffixes), not a list fitted to the
labelled examples, so that wordings nobody wrote down yet still fall into the right class.
"""

from __future__ import annotations

import re

from bot.falsifiability.verdict import VagueFamily


def _alt(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


def compile_words(*parts: str) -> re.Pattern[str]:
    """Compile alternatives as whole words, case-insensitive."""
    return re.compile(r"(?<![\w-])" + _alt(*parts) + r"(?![\w-])", re.IGNORECASE)


# The word lists below are packed by hand, several patterns a line, to stay readable.
# fmt: off
# Things a team can count: rates, money, time, model scores, business events. Plural and
# compound forms ("false-positive", "click-through") are folded in; bare "quality", "relevance",
# "engagement", "performance" are left out on purpose: nobody can say what would count.
METRIC_WORDS = _alt(
    r"time to (?:first |full )?[a-z]+",  # before "time": "time to first response" is one metric
    r"rates?", r"ratios?", "share", "proportion", "percentage", "fraction", r"times?",
    r"latenc(?:y|ies)", "durations?", "delays?", r"costs?", "spend", "revenue", r"margins?",
    r"profits?", "sales", r"bookings?", "orders", r"conversions?", "churn", "retention", "returns",
    r"precision(?:@\d+)?", r"recall(?:@\d+)?", "accuracy", r"errors?", "mae", "mape", "rmse",
    "wape",
    "smape", "bias", r"complaints?", "clicks", "click-throughs?", "ctr", "cvr", r"ndcg(?:@\d+)?",
    r"map(?:@\d+)?", "mrr", "auc", "roc", "f1", r"scores?", r"ratings?", "nps", "csat",
    r"sessions?", "visits", "purchases", "refunds", r"chargebacks?", r"losses",
    r"false[- ]positives?", r"false[- ]negatives?", "fpr", "tpr", "fnr", "sensitivity",
    "specificity", r"misclassifications?", "deflection", r"resolutions?", r"cancell?ations?",
    r"stockouts?", r"stock-outs?", "backlog", "volume", r"counts?", r"active [a-z]+s", "dau",
    "wau", "mau", "adoption", "completion", "abandonment", r"drop-?offs?", "bounces?", "dwell",
    "length", "basket size", "aov", r"arp[ua]", "rpm", "cpm", "cpc", "cpa", "roas", "gmv", "ltv",
    "throughput", "uptime", "availability", "qps", r"p(?:50|75|90|95|99)", "psi", "index", "drift",
    r"hallucinations?", "acceptance", r"approvals?", r"defects?", r"incidents?", r"escalations?",
    "tickets", "reports", "appeals", r"sign-?ups", "installs", "downloads", r"subscriptions?",
    r"renewals?", "coverage", "yield", "utili[sz]ation", "occupancy", "lateness", r"referrals?",
    r"exits?", r"queries", r"searches", r"deliveries", r"attacks", "defaults", r"savings?",
    "agreement", "kappa", "bleu", "rouge", "perplexity", "wer", r"pass@\d+",
    r"(?:up)?lift(?! in\b| of\b)",
    "traffic", r"abandons?", r"no-shows?", r"readmissions?", r"fraud losses", r"disputes?",
    r"takedowns?", r"overrides?", r"thumbs[- ](?:up|down)", "satisfaction", "diversity", "novelty",
    "freshness", r"abandon(?:ment|s)?", r"redemptions?", r"fill rate", r"win rate",
    # Hyphenated "X-to-Y" compounds name one metric: time-to-diagnosis, cost-to-serve.
    r"(?:time|cost|days|hours|minutes|weeks)-to-[a-z]+(?:-[a-z]+)*",
    "growth", "activation", r"guardrails?", r"uptime", "mttr", "mttd", "mtbf",
)
METRIC = re.compile(r"(?<![\w-])" + METRIC_WORDS + r"(?:s|es)?(?![\w-])", re.IGNORECASE)
# Names a team coins for its own metrics, read by their shape: weekly_stickiness, CAC, D7.
METRIC_SHAPE = re.compile(
    r"(?<![\w-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]{1,5}|d\d{1,3})(?![\w-])"
)

# Counts of work done: numbers a team controls by working, not outcomes (RUBRIC.md).
WORK_METRIC = compile_words(
    r"(?:test|code|unit[- ]test|documentation|doc) coverage", r"story points", "velocity",
    r"lines of code", r"pull requests", r"prs merged", "commits", r"tickets closed",
    r"features(?: (?:shipped|delivered|launched))?", r"experiments(?: (?:run|launched))?",
    r"models (?:trained|deployed|shipped)", r"(?:labels|annotations)(?: (?:collected|produced))?",
    "releases", "deployments", r"prs", r"sprints",
)

# Verbs and particles that say which way a number should move.
UP = (
    r"increas\w*", r"rais(?:e|es|ed|ing)", r"ris(?:e|es|ing)", "rose", r"lift(?:s|ed|ing)?",
    r"grow\w*", "grew", r"boost\w*", r"improv\w*", r"gain\w*", r"climb\w*", r"jump\w*",
    r"go(?:es)? up", r"went up", r"up from", r"uplift", r"win(?:s)? back", r"bring(?:s)? back",
    "higher", "more", r"doubl(?:e|es|ed)", r"tripl(?:e|es|ed)", r"resolv(?:e|es|ing)",
    r"approv(?:e|es|ing)", r"catch(?:es|ing)?", r"detect(?:s|ing)?", r"deflect(?:s|ing)?",
    r"recover\w*", r"accelerat\w*",
)
DOWN = (
    r"decreas\w*", r"reduc\w*", r"cut(?:s|ting)?", r"lower(?:s|ed|ing)?", r"drop(?:s|ped|ping)?",
    r"fall(?:s|ing)?", "fell", r"declin\w*", r"shrink\w*", "shrank", r"halv\w*", r"shorten\w*",
    r"sav(?:e|es|ing)", r"go(?:es)? down", r"went down", r"down from", r"eliminat\w*",
    r"prevent\w*", r"block\w*", "less", "fewer", r"trim\w*", r"shave\w*",
    r"bring(?:s|ing)? \w+(?: \w+){0,6}? down",
)
# Thresholds and holds: a bound, not a move, but it fixes which side of a number is success.
BOUND = (
    r"at least", r"at most", r"no (?:more|less|fewer|higher|lower) than",
    r"not (?:more|less) than", r"(?:more|less|fewer|greater|higher|lower) than", r"up to",
    r"or (?:more|higher|above|better|less|lower|fewer|below|greater)", "above", "below", "under",
    "over", r"exceed\w*", "within", r"stay\w*", r"remain\w*", r"keep\w*", "kept",
    r"hold(?:s|ing)?",
    r"maintain\w*", r"reach\w*", "hit", r"achiev\w*", r"(?<!\w)(?:>=|<=|≥|≤|>|<)",
    r"(?:a )?minimum of", r"(?:a )?maximum of", r"or (?:less|fewer|more)",
)
# Verbs whose object is a load the system must bear: "shall handle 800 concurrent sessions".
CAPACITY_VERB = compile_words(
    r"handl(?:e|es|ing)", r"support(?:s|ing)?", r"process(?:es|ing)?", r"serv(?:e|es|ing)",
    r"sustain(?:s|ing)?", r"withstand(?:s|ing)?", r"accommodat(?:e|es|ing)", r"answer(?:s|ing)?",
    r"reach(?:es|ing)?", r"attract(?:s|ing)?", r"acquir(?:e|es|ing)", r"retain(?:s|ing)?",
    r"sign(?:s)? up", r"convert(?:s|ing)?",
)
DIRECTION = compile_words(*UP, *DOWN, *BOUND)
UP_WORDS = compile_words(
    *UP, r"at least", r"or (?:more|higher|above|better|greater)", "above", r"reach\w*", "hit",
    r"achiev\w*",
)
DOWN_WORDS = compile_words(*DOWN, r"at most", r"no more than", "below", "under")

# Verbs whose object is work, a release or a system, not a behaviour (RUBRIC.md: outputs).
WORK_VERB = compile_words(
    r"ship\w*", r"launch\w*", r"releas\w*", r"deploy\w*", r"roll(?:s|ed|ing)? (?:it )?out",
    "rollout", r"build\w*", "built", r"train(?:s|ed|ing)?", r"fine-tun\w*", r"retrain\w*",
    r"migrat\w*", r"upgrad\w*", r"port(?:s|ed|ing)?", r"refactor\w*", r"implement\w*",
    r"integrat\w*", r"add(?:s|ed|ing)?", r"adopt\w*", r"develop\w*", r"creat\w*",
    r"stand(?:s|ing)? up", r"set(?:ting)? up", r"hir(?:e|es|ed|ing)", r"label\w*", r"annotat\w*",
    r"collect\w*", r"expand\w*", r"ramp\w*", r"expos(?:e|es|ed|ing)", r"run(?:s|ning)?",
    r"us(?:e|es|ed|ing)", r"leverag\w*", r"spend\w*", r"invest(?:s|ed|ing)?", r"switch\w*",
    r"mov(?:e|es|ed|ing) to", r"replac\w*", r"complet(?:e|es|ed|ing)", r"finish\w*", r"publish\w*",
    r"writ(?:e|es|ing)", "wrote", r"post(?:s|ed|ing)?", r"conduct\w*", r"host(?:s|ed|ing)?",
    r"send(?:s|ing)?", r"produc(?:e|es|ing)", r"contribut\w*", r"draft\w*", r"schedul\w*",
    r"undertak\w*", r"perform(?:s|ed)?", r"document(?:s|ed|ing)?", r"agree(?:s|d)?",
)

# Verbs whose percentage is a share of traffic or data the team chooses: "deploy to 100% of
# traffic", "label 80% of the backlog". Narrower than WORK_VERB: "add to cart 5% more often".
ROLLOUT_VERB = compile_words(
    r"ship\w*", r"launch\w*", r"releas\w*", r"deploy\w*", r"roll(?:s|ed|ing)? (?:it )?out",
    "rollout", r"migrat\w*", r"label\w*", r"annotat\w*", r"collect\w*", r"expand\w*", r"ramp\w*",
    r"expos(?:e|es|ed|ing)", r"train(?:s|ed|ing)?", r"fine-tun\w*", r"retrain\w*",
    r"serv(?:e|es|ed|ing)", r"rout(?:e|es|ed|ing)", r"allocat\w*", r"sampl\w*", r"cover\w*",
    r"summari[sz]\w*", r"process\w*", r"review\w*", r"hold(?:s|ing)? out", "holdout",
)

# Connectors that cut a sentence into clauses, so that a number is read with its own verb.
CLAUSE_BREAK = re.compile(
    r"[;:,.?!]\s|\s(?:while|without|but|and then|whereas|because|so that|otherwise|with no)\s",
    re.IGNORECASE,
)

MONTH = _alt(
    "jan(?:uary)?", "feb(?:ruary)?", "mar(?:ch)?", "apr(?:il)?", "may", "june?", "july?",
    "aug(?:ust)?", "sep(?:t(?:ember)?)?", "oct(?:ober)?", "nov(?:ember)?", "dec(?:ember)?",
)
NUMBER_WORD = _alt(
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "sixty", "ninety", "a few",
    "several", "a couple of",
)
TIME_UNIT = r"(?:days?|weeks?|months?|quarters?|years?|sprints?|hours?|minutes?|seconds?)"

# Qualities that no instrument reads; a number glued to them ("10x smarter") measures nothing.
UNMEASURABLE = (
    r"smart\w*", r"intelligen\w*", "better", "good", "great", r"productiv\w*", r"powerful\w*",
    r"helpful", r"useful", r"delight\w*", r"intuitive", "human", r"engag\w*", r"capable",
    r"efficient", r"effective", r"innovative", r"valuable", r"impactful", r"relevant", r"robust",
    r"reliable", r"trustworthy", r"happ(?:y|ier)", r"empower\w*",
)
UNMEASURABLE_RE = re.compile(
    r"^\s*(?:more |less )?" + _alt(*UNMEASURABLE) + r"(?![\w-])", re.IGNORECASE
)


# A slot left for a number nobody wrote yet: "over XX%", "from X to Y", "by N%", "TBD".
PLACEHOLDER = re.compile(
    r"(?<![\w-])(?:TBD|TBC|TBA|tbd|XX+%?|[XYN]%|\[(?:amount|number|x|n|target|value)\])(?![\w-])"
    r"|(?:" + "|".join(f"(?<=\\b{w} )" for w in ("by", "to", "from", "at", "of", "over", "under",
    "above", "below", "than", "is", "be", "least", "most")) + r")[XYZN](?![\w-])"
    r"|(?<![\w-])[XYN](?= (?:to|percent|points?|ms|seconds|days)\b)|_{3,}",
)
# A size without a way to go: "a 15% minimum change in shared carts", "impact churn by 5%".
NO_DIRECTION = compile_words(
    r"(?:\d[\d.,]*\s?%?\s+)?(?:(?:minimum|maximum|measurable|detectable|noticeable)\s+)?"
    r"(?:change|difference|impact|effect|shift|movement|variation)s?\s+(?:in|on|of|to)",
    r"(?:affect|impact|influence)(?:s|ed)?\s+(?:the\s+)?[a-z][\w-]*",
)

# The vague families: each is a broad pattern family (verdict.VagueFamily documents them).
VAGUE_PATTERNS: dict[VagueFamily, re.Pattern[str]] = {
    VagueFamily.PLACEHOLDER: PLACEHOLDER,
    VagueFamily.NO_DIRECTION: NO_DIRECTION,
    VagueFamily.HYPE: compile_words(
        r"game[- ]chang\w*", r"mov(?:e|es|ing) the needle", r"revolutioni[sz]\w*",
        r"transform(?:s|ed|ing|ative)?", r"next[- ]level", r"next[- ]gen\w*",
        r"(?:cutting|bleeding|leading)[- ]edge", r"leverag\w*", r"supercharg\w*", r"unlock\w*",
        r"disrupt\w*", r"paradigm shift", r"synerg\w*", r"double down", r"raise the bar",
        r"ai[- ](?:powered|driven|first|enabled)", r"ml[- ](?:powered|driven)", r"magic(?:al)?",
        "moonshot", r"groundbreaking", r"stay ahead(?: of \w+)?", r"future[- ]proof\w*",
        r"\d+(?:\.\d+)?x (?:more |less )?" + _alt(*UNMEASURABLE),
        r"\d+(?:\.\d+)?% (?:more|less) " + _alt(*UNMEASURABLE),
    ),
    VagueFamily.SUPERLATIVE: compile_words(
        r"best[- ]in[- ]class", r"state[- ]of[- ]the[- ]art", "sota", r"world[- ]class",
        r"(?:industry|market)[- ]leading", r"best[- ]of[- ]breed", r"top[- ]notch",
        r"optimal(?:ly)?", r"perfect(?:ly)?", r"flawless(?:ly)?", "unbeatable", r"second to none",
        r"gold standard", "best",
        r"(?<!at )most (?:[a-z]+(?:ive|ful|ble|ent|ant|ic|al|ous|ate|ed)|relevant|advanced|smart)",
        r"smartest|fastest|greatest|cheapest|strongest",
    ),
    VagueFamily.LOOPHOLE: compile_words(
        r"(?<!statistically )significant(?:ly)?", r"substantial(?:ly)?", r"meaningful(?:ly)?",
        r"noticeabl[ey]", r"considerabl[ey]", r"dramatic(?:ally)?", r"massive(?:ly)?",
        r"huge(?:ly)?", r"vast(?:ly)?", r"drastic(?:ally)?", "greatly", r"a lot", r"a bit",
        r"a little", r"slight(?:ly)?", r"marginal(?:ly)?",
        r"as (?:much|many|little|few|low|high|far|fast|soon|quickly) as (?:possible|we can)",
        r"(?:the )?(?:best|highest|lowest|greatest|fastest|largest|smallest|maximum|minimum|most)"
        r" (?:possible|achievable|attainable)(?: [a-z][\w-]*)?",
        r"where(?:ver)? possible", r"maximi[sz]\w*", r"minimi[sz]\w*", r"optimi[sz]\w*",
        r"(?:a |an )?(?:reasonable|acceptable|manageable|sensible) (?:level|amount|range|rate)",
        r"material(?:ly)?", r"measurabl[ey]", "sizeable", "tangible", r"notabl[ey]",
        r"appreciabl[ey]", r"real (?:impact|difference)",
        r"(?:small|modest|big|large|nice|healthy|solid|strong|decent) (?:up)?(?:lift|gain|"
        r"improvement|increase|drop|reduction|boost|decrease|win)",
        r"(?:keep|kept|stay\w*|remain\w*)\s+(?:\w+\s+){0,3}?(?:low|high|short|minimal|in check|"
        r"under control|reasonable|acceptable)",
    ),
    VagueFamily.HEDGE: compile_words(
        r"explor(?:e|es|ing|ation)", r"investigat\w*", r"look(?:ing)? into",
        r"see (?:if|whether|how)", r"try(?:ing)?(?: to| out)?", "tries",
        r"experiment(?:ing)? with", "might", r"(?<!by )(?<!in )may(?! \d)", "could", "perhaps",
        "possibly", "potentially", "hopefully", r"(?:we )?hope(?: to| that)?", r"figure out",
        r"(?:assess|evaluate|check|understand)(?:ing)? (?:whether|if|how)",
    ),
    VagueFamily.SUBJECTIVE: compile_words(
        r"delight\w*", r"happ(?:y|ier|iness)", r"lov(?:e|es|ed|ing)", r"enjoy\w*", r"smart(?:er)?",
        r"intelligen\w*", r"intuitive", r"seamless\w*", r"feel(?:s|ing)?(?: \w+){0,2}",
        r"trust(?!ed)\w*", r"confiden(?:t|ce)", r"satisfied", r"empower\w*", r"frustrat\w*",
        r"empath\w*", r"human(?:-like)?", r"understand\w*(?: \w+){0,2} better", r"peace of mind",
        "comfortable", "pleasant", r"amazing|awesome", r"user[- ]friendly", r"easy to use",
        r"stick(?:y|ier)", r"robust(?:ness)?", r"reliab(?:le|ility)", r"safe(?:r|ty)?",
        r"perform(?:s|ing)? well", r"works? well", r"(?:customer|user) experience",
        r"productivity", r"performance",
    ),
    VagueFamily.UNQUANTIFIED_COMPARATIVE: compile_words(
        r"(?:more|less) (?!than\b|of\b|by\b)[a-z-]+", r"fewer (?!than\b)[a-z-]+", r"better",
        r"faster", r"cheaper", r"quicker", r"easier", r"safer", r"stronger", r"sharper",
        r"smoother", r"fairer", r"leaner", r"tighter",
    ),
    # Work verbs at the head of a sentence are found by rules._work_phrase; these are the nouns.
    VagueFamily.OUTPUT_NOT_OUTCOME: compile_words(
        r"(?:test|code|unit[- ]test|documentation|doc) coverage", r"story points", "velocity",
        r"lines of code", r"(?:\w+ )?architecture", r"v\d+(?:\.\d+)?", "mvp",
        r"proofs? of concept", r"prototypes?", r"feature stores?",
    ),
}
# fmt: on
