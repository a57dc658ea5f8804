"""Bad inputs and the one line each must give (used by tests/test_bad_inputs.py and by
experiments/reliability_table.py, which writes the table in docs/reliability.md).

Each case is ``(class, overrides, message)``: ``overrides`` go to the command line
(``python run.py ...``) and, unless the class is CLI-only, to ``sim.load_config``;
both must fail with exactly ``message`` (a regular expression where it starts
with ``re:``). ``{confdir}`` is a folder of a user's own (broken) scenario files.
"""

from __future__ import annotations

from pathlib import Path

CONFIGS = Path(__file__).resolve().parents[1] / "configs"

PLAIN = "(letters, digits, '_', '-', '.'; no '..'; at most 120 characters)"
KINDS = "deterministic, empirical, exponential, gamma, lognormal, trace"
# the scenario files there are (a calibrated one, ./dev calibrate's output, may be among them)
SCENARIOS = ", ".join(sorted(p.stem for p in (CONFIGS / "scenario").glob("[!_]*.yaml")))
EXPERIMENTS = (
    "callback, channel_shift, deflection, outsourcing_mix, pooling, shift_design, staffing_curve"
)
GROUPS = "business_desk, voice_agents, digital_team"
DURATION = "minutes or a duration with a unit (m, min, h, d, w), e.g. 600, '12h', '365d', '2w'"

CASES: list[tuple[str, list[str], str]] = [
    # unknown keys, "did you mean", also when added with +
    (
        "unknown key",
        ["scenario=mmc", "serverz=3"],
        "serverz is not a configuration key (did you mean 'servers'?)",
    ),
    (
        "unknown key",
        ["scenario=mmc", "+servrs=5"],
        "servrs is not a configuration key (did you mean 'servers'?)",
    ),
    (
        "unknown key",
        ["+demand.surgs=[{start:0,end:60,factor:2}]"],
        "demand.surgs is not a demand setting (did you mean 'surges'?)",
    ),
    (
        "unknown key",
        ["+agents.voice_agents.cuont=40"],
        "agents.voice_agents.cuont is not an agent group setting (did you mean 'count'?)",
    ),
    (
        "unknown key",
        ["scenario=mmc", "queues.calls.servce.mean=2"],
        "queues.calls.servce is not a queue setting (did you mean 'service'?)",
    ),
    (
        "unknown key",
        ["scenario=mmc", "+queues.calls.servce.mean=2"],
        "queues.calls.servce is not a queue setting (did you mean 'service'?)",
    ),
    (
        "unknown key",
        ["channels.voice.handel.mean=5"],
        "channels.voice.handel is not a channel setting (did you mean 'handle'?)",
    ),
    (
        "unknown key",
        ["stress.basline=0.1"],
        "stress.basline is not a stress setting (did you mean 'baseline'?)",
    ),
    (
        "unknown key",
        ["outcomes.costs.inhouse_hours=20"],
        "outcomes.costs.inhouse_hours is not a cost setting (did you mean 'inhouse_hour'?)",
    ),
    (
        "unknown key",
        ["+agents.extra={count:3,skils:[chat]}"],
        "agents.extra.skils is not an agent group setting (did you mean 'skills'?)",
    ),
    (
        "unknown entry",
        ["agents.voice_agent.count=3"],
        f"agents.voice_agent is not defined in this scenario (defined: {GROUPS}) "
        "(did you mean 'voice_agents'?); add a new one with +agents.voice_agent={...}",
    ),
    (
        "unknown entry",
        ["vendors.acme.price=20"],
        "vendors.acme is not defined in this scenario (defined: none); "
        "add a new one with +vendors.acme={...}",
    ),
    # wrong types
    ("wrong type", ["scenario=mmc", "servers=abc"], "servers must be a whole number, got 'abc'"),
    ("wrong type", ["scenario=mmc", "servers=2.5"], "servers must be a whole number, got 2.5"),
    (
        "wrong type",
        ["scenario=mmc", "servers=1e8"],
        "servers must be a whole number, got 100000000.0",
    ),
    (
        "wrong type",
        ["scenario=mmc", "replications=1e9"],
        "replications must be a whole number, got 1000000000.0",
    ),
    ("wrong type", ["scenario=mmc", "horizon=10x"], f"horizon must be {DURATION}, got '10x'"),
    ("wrong type", ["scenario=mmc", "horizon="], f"horizon must be {DURATION}, got ''"),
    ("wrong type", ["scenario=mmc", "horizon=null"], f"horizon must be {DURATION}, got null"),
    ("wrong type", ["scenario=mmc", "seed=abc"], "seed must be a whole number, got 'abc'"),
    ("wrong type", ["scenario=mmc", "drain=maybe"], "drain must be true or false, got 'maybe'"),
    ("wrong type", ["scenario=mmc", "description=null"], "description must be a string, got null"),
    ("wrong type", ["scenario=mmc", "name=[a,b]"], "name must be a string, got ['a', 'b']"),
    (
        "wrong type",
        ["demand.customers=many"],
        "demand.customers must be a whole number, got 'many'",
    ),
    (
        "wrong type",
        ["scenario=mmc", "queues.calls=3"],
        "queues.calls must be a mapping of queue settings, got 3",
    ),
    (
        "wrong type",
        ["scenario=mmc", "agents.agents=5"],
        "agents.agents must be a mapping of agent group settings, got 5",
    ),
    (
        "wrong type",
        ["scenario=mmc", "queues.calls.patience=5"],
        "queues.calls.patience must be a mapping of distribution settings, got 5",
    ),
    (
        "wrong type",
        ["scenario=mmc", "queues.calls.service.mean=[1,2]"],
        "queues.calls.service.mean must be a number, got '[1, 2]'",
    ),
    # values outside an Enum
    (
        "bad enum value",
        ["routing.agent_policy=bogus"],
        "routing.agent_policy must be one of fastest, longest_idle, preferred_group, got 'bogus'",
    ),
    (
        "bad enum value",
        ["scenario=mmc", "queues.calls.service.kind=weibull"],
        f"queues.calls.service.kind must be one of {KINDS}, got 'weibull'",
    ),
    (
        "bad enum value",
        ["channels.voice.mode=sometimes"],
        "channels.voice.mode must be one of deferred, live, got 'sometimes'",
    ),
    (
        "bad enum value",
        ["scenario=postemobile", "vendors.tech_vendor.pricing=free"],
        "vendors.tech_vendor.pricing must be one of hourly, per_contact, got 'free'",
    ),
    # vendor areas (seed 000): a routed reason that no in-area group may take
    (
        "vendor areas",
        ["scenario=postemobile", "agents.smartphone_specialists.skills=[voice_smartphone]"],
        "routes[3] sends voice/consumer/technical contacts to queue voice_care, whose groups all "
        "work for vendors whose areas (vendors.<name>.areas) exclude technical: give a group "
        "whose vendor covers technical the skill voice_care, route technical elsewhere, or add an "
        "overflow rule (routing.overflow) on voice_care; groups of voice_care, got "
        "['billing_team', 'care_generalists']",
    ),
    (
        "vendor areas",
        ["scenario=postemobile", "vendors.tech_vendor.areas=[billing]"],
        "routes[3] sends voice/consumer/technical contacts to queue voice_care, whose groups all "
        "work for vendors whose areas (vendors.<name>.areas) exclude technical: give a group "
        "whose vendor covers technical the skill voice_care, route technical elsewhere, or add an "
        "overflow rule (routing.overflow) on voice_care; groups of voice_care, got "
        "['smartphone_specialists', 'billing_team', 'care_generalists']",
    ),
    # unknown scenario, experiment or other config group; names that leave configs/
    ("unknown choice", ["scenario=nope"], f"unknown scenario 'nope' (available: {SCENARIOS})"),
    (
        "unknown choice",
        ["scenario=../../../x"],
        f"unknown scenario '../../../x' (available: {SCENARIOS})",
    ),
    (
        "unknown choice",
        ["scenario=/etc/passwd"],
        f"unknown scenario '/etc/passwd' (available: {SCENARIOS})",
    ),
    (
        "unknown choice",
        ["experiment=nope"],
        f"unknown experiment 'nope' (available: {EXPERIMENTS})",
    ),
    (
        "unknown choice",
        ["experiment=_common"],
        f"unknown experiment '_common' (available: {EXPERIMENTS})",
    ),
    (
        "unknown choice",
        ["experiment=../../x"],
        f"unknown experiment '../../x' (available: {EXPERIMENTS})",
    ),
    (
        "unknown choice",
        ["routing=nope"],
        "unknown routing 'nope' (available: default, fastest, longest_idle, oldest_first, "
        "skills_order)",
    ),
    ("unknown choice", ["stress=nope"], "unknown stress 'nope' (available: call_center, none)"),
    ("unknown choice", ["outcomes=nope"], "unknown outcomes 'nope' (available: none, telecom)"),
    (
        "unknown choice",
        ["hydra/launcher=nope"],
        "re:^unknown hydra/launcher 'nope' \\(available: .*basic.*parallel.*\\)$",
    ),
    # names that name folders
    (
        "unsafe name",
        ["scenario=mmc", "name=../../OUTSIDE"],
        f"name must be a plain name {PLAIN}, got '../../OUTSIDE'",
    ),
    (
        "unsafe name",
        ["scenario=mmc", "name=../../../../.."],
        f"name must be a plain name {PLAIN}, got '../../../../..'",
    ),
    ("unsafe name", ["scenario=mmc", "name=a/b"], f"name must be a plain name {PLAIN}, got 'a/b'"),
    (
        "unsafe name",
        ["scenario=mmc", "name=.hidden"],
        f"name must be a plain name {PLAIN}, got '.hidden'",
    ),
    ("unsafe name", ["scenario=mmc", "name="], f"name must be a plain name {PLAIN}, got ''"),
    (
        "unsafe name",
        ["scenario=mmc", "study.name=../a"],
        f"study.name must be a plain name {PLAIN}, got '../a'",
    ),
    (
        "unsafe name",
        ["scenario=mmc", "+queues.bad-name={}"],
        "queues.bad-name name must match [A-Za-z][A-Za-z0-9_]*, got 'bad-name'",
    ),
    # values that break a rule
    ("rule", ["scenario=mmc", "servers=0"], "servers must be >= 1, got 0"),
    (
        "rule",
        ["scenario=mmc", "arrival_rate=-1"],
        "arrival_rate must be a finite number >= 0, got -1.0",
    ),
    (
        "rule",
        ["scenario=mmc", "mean_service=0"],
        "mean_service must be a finite number > 0, got 0.0",
    ),
    (
        "rule",
        ["scenario=mmc_abandon", "mean_patience=-2"],
        "mean_patience must be a finite number > 0, got -2.0",
    ),
    ("rule", ["scenario=mmck", "capacity=0"], "capacity must be >= 1 or null, got 0"),
    ("rule", ["scenario=mmc", "horizon=-5"], "horizon must be a finite number > 0, got -5.0"),
    ("rule", ["scenario=mmc", "warmup=2000"], "warmup must be in [0, horizon=1440.0), got 2000.0"),
    (
        "rule",
        ["scenario=mmc", "checkpoint.every=12h"],
        "checkpoint.every must be a whole number of days (1d, 7d, 1440...) or 0 (no checkpoint), "
        "got 720.0",
    ),
    (
        "wrong type",
        ["scenario=mmc", "checkpoint.every=daily"],
        f"checkpoint.every must be {DURATION}, got 'daily'",
    ),
    ("rule", ["scenario=mmc", "interval=0"], "interval must be a finite number > 0, got 0.0"),
    ("rule", ["scenario=mmc", "replications=0"], "replications must be >= 1, got 0"),
    ("rule", ["scenario=mmc", "workers=0"], "workers must be >= 1, got 0"),
    ("rule", ["scenario=mmc", "seed=-1"], "seed must be >= 0, got -1"),
    (
        "rule",
        ["scenario=mmc", "queues.calls.sl_target=1.5"],
        "queues.calls.sl_target must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.arrival.profile=[1,-2]"],
        "queues.calls.arrival.profile[1] must be a finite number >= 0, got -2.0",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.arrival.profile=[0,0]"],
        "queues.calls.arrival.profile must have a positive entry, got [0.0, 0.0]",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.arrival.profile=[1,2,3]"],
        "queues.calls.arrival.profile must cover the horizon (1440 min) or a whole number of days: "
        "3 entries of 30 min cover 90 min, got 3",
    ),
    (
        "rule",
        ["demand.profile=[1,2,3]"],
        "demand.profile must have 48 entries (24 h of 30-minute intervals), got 3",
    ),
    ("rule", ["demand.weekly=[1,2]"], "demand.weekly must have 7 entries (Monday first), got 2"),
    ("rule", ["agents.voice_agents.count=-1"], "agents.voice_agents.count must be >= 0, got -1"),
    (
        "rule",
        ["channels.voice.sl_target=2"],
        "channels.voice.sl_target must be a probability in [0, 1], got 2.0",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.callback.enabled=true", "queues.calls.callback.accept=1.5"],
        "queues.calls.callback.accept must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["servers=3"],
        "servers is a textbook shortcut that scenario 'default' does not use (scenarios mmc, "
        "mmc_abandon, mmcc, mmck do), got 3",
    ),
    (
        "rule",
        ["scenario=mmc", "mean_service=1e308"],
        "mean_service must be at most 1e+12, got 1e+308",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.service.mean=1e13"],
        "queues.calls.service.mean must be at most 1e+12 minutes, got 10000000000000.0",
    ),
    (
        "rule",
        ["+agents.voice_agents.staffing=[4]", "agents.voice_agents.hours=[480,960]"],
        "agents.voice_agents.hours cannot be combined with staffing, got 'hours'",
    ),
    (
        "rule",
        [
            "scenario=mmc",
            "+agents.agents.availability=[1.5]",
            "agents.agents.staffing_interval=1440",
        ],
        "agents.agents.availability[0] must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["scenario=mmc", "+agents.agents.staffing=[4,5]", "agents.agents.step_away=45"],
        "agents.agents.step_away must be in (0, staffing_interval=30], got 45.0",
    ),
    (
        "rule",
        ["scenario=mmc", "+agents.agents.staffing=[4,5]"],
        "agents.agents.staffing must cover the horizon (1440 min) or a whole number of days: "
        "2 entries of 30 min cover 60 min, got 2",
    ),
    (
        "rule",
        [
            "queues.voice_consumer.service_profile=[1,2]",
            "queues.voice_consumer.service_profile_interval=720",
        ],
        "queues.voice_consumer.service_profile applies to a queue's own arrivals (set arrival), "
        "got None",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.arrival.busyness_cv=-0.1"],
        "queues.calls.arrival.busyness_cv must be a finite number >= 0, got -0.1",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.balk.enabled=true", "queues.calls.balk.base=1.5"],
        "queues.calls.balk.base must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["scenario=mmc", "queues.calls.head_start=-1"],
        "queues.calls.head_start must be a finite number >= 0, got -1.0",
    ),
    # what-ifs (docs/whatif.md)
    (
        "rule",
        ["demand.scale.chatt=2"],
        "demand.scale.chatt must name a channel or a reason (['billing', 'chat', 'email', "
        "'information', 'sales', 'social', 'technical', 'voice']), got 'chatt'",
    ),
    (
        "rule",
        ["demand.scale.chat=-1"],
        "demand.scale.chat must be a finite number >= 0, got -1.0",
    ),
    (
        "wrong type",
        ["demand.scale.chat=lots"],
        "demand.scale.chat must be a number, got 'lots'",
    ),
    (
        "rule",
        ["channels.chat.self_service.success_scale=-0.5"],
        "channels.chat.self_service.success_scale must be a finite number >= 0, got -0.5",
    ),
    (
        "rule",
        ["demand.self_service_scale=-1"],
        "demand.self_service_scale must be a finite number >= 0, got -1.0",
    ),
    # runs too large to be sensible
    (
        "size",
        ["scenario=mmc", "arrival_rate=1e308"],
        "this run cannot be simulated: its number of contacts or of reporting intervals is not a "
        "finite number (contacts inf, intervals 25); check horizon, interval, rates and customers",
    ),
    (
        "size",
        ["scenario=mmc", "horizon=1e308"],
        "this run cannot be simulated: its number of contacts or of reporting intervals is not a "
        "finite number (contacts inf, intervals 1.67e+306); check horizon, interval, rates and "
        "customers",
    ),
    (
        "size",
        ["scenario=mmc", "interval=1e-9"],
        "re:^this run would need about [\\d,.]+ GB of memory, [\\d,]+ times this machine's "
        "[\\d,.]+ GB; it cannot run here \\(a longer reporting interval \\(interval=...\\) or a "
        "shorter horizon\\)$",
    ),
    (
        "size",
        ["scenario=mmc", "servers=100000000"],
        "re:^this run would need about 200.3 GB of memory, .*; fewer agents, .*force=true.*$",
    ),
    (
        "size",
        ["scenario=mmc", "replications=1000000000"],
        "re:^this run would need about .* GB of memory, .* times this machine's .*; it cannot run "
        "here \\(keep_records=false keeps aggregates only\\)$",
    ),
    (
        "size",
        ["demand.customers=1000000000"],
        "re:^this run would need about [\\d,.]+ GB of memory, .*; keep_records=false keeps "
        "aggregates only, or add force=true to run it anyway$",
    ),
    (
        "size",
        ["scenario=mmc", "horizon=10000000", "keep_records=false"],
        "this run would simulate about 4.5e+09 contacts (10 replications x 4.5e+08), about 25 "
        "hours at 50,000 contacts/s; shorten it (horizon, replications, rates) or add "
        "force=true to run it anyway",
    ),
    # the command line's own syntax
    (
        "syntax",
        ["scenario=mmc", "servers=[1,"],
        "cannot read the override 'servers=[1,': no viable alternative at input '[1,'",
    ),
    (
        "syntax",
        ["scenario=mmc", "params.x=0,11,1"],
        "params.x=0,11,1 lists several values: add -m (--multirun) to sweep over them, or write a "
        "list as key=[a,b]",
    ),
    # a user's own scenario files (--config-dir)
    # life phases (configs/scenario/life_phases.yaml, sim.study.phases)
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.0.months=0"],
        "phases.sequence[0].months must be >= 1, got 0",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.1.contact_factor=-1"],
        "phases.sequence[1].contact_factor must be a number in (0, 100], got -1.0",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.0.gross_adds=-5"],
        "phases.sequence[0].gross_adds must be a finite number >= 0, got -5",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.2.name=launch"],
        "phases.sequence[2].name must differ from the other phases' names, got 'launch'",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.0.overrides=['demand.customers=5']"],
        "phases.sequence[0].overrides[0] must not set a key the phases set themselves "
        "(demand.customers, demand.scale, phases, seed, the head-count keys), got "
        "'demand.customers=5'",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.2.overrides=[self_service_scale]"],
        "phases.sequence[2].overrides[0] must be an override key=value, got 'self_service_scale'",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.headcount=[params.voice_agent]"],
        "phases.headcount[0] must name a key holding a head count (a whole number >= 0) in this "
        "scenario, got 'params.voice_agent'",
    ),
    (
        "life phases",
        ["scenario=life_phases", "phases.sequence.0.monts=2"],
        "phases.sequence[0].monts is not a phase setting (did you mean 'months'?)",
    ),
    (
        "life phases",
        ["phases.customers=1000"],
        "phases.sequence must list at least one phase when phases.customers or phases.headcount "
        "is set, got []",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}", "scenario=brace"],
        "{confdir}/scenario/brace.yaml line 3, column 1: expected ',' or '}', but got '<stream "
        "end>' (while parsing a flow mapping that starts at line 2)",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}", "scenario=dupkey"],
        "{confdir}/scenario/dupkey.yaml line 3, column 1: found duplicate key name (while "
        "constructing a mapping that starts at line 2)",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}", "scenario=tab"],
        "{confdir}/scenario/tab.yaml line 3, column 1: found character '\\t' that cannot start any "
        "token (a tab: indent with spaces)",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}", "scenario=wrongtype"],
        "{confdir}/scenario/wrongtype.yaml: servers must be a whole number, got 'abc'",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}", "scenario=unknownkey"],
        "{confdir}/scenario/unknownkey.yaml: nme is not a configuration key (did you mean 'name'?)",
    ),
    (
        "user file",
        ["--config-dir", "{confdir}/missing", "scenario=mmc"],
        "--config-dir must name an existing folder, got '{confdir}/missing'",
    ),
    # tickets: simultaneous duplicates of deferred contacts (docs/tickets.md)
    (
        "unknown key",
        ["scenario=masterpro_before", "tickets.duplicat.email=1"],
        "tickets.duplicat is not a tickets setting (did you mean 'duplicate'?)",
    ),
    (
        "rule",
        ["scenario=masterpro_before", "+tickets.duplicate.phone=0.3"],
        "tickets.duplicate.phone must be 'default' or a deferred channel, one of "
        "['email', 'form', 'social'], got 'phone'",
    ),
    (
        "rule",
        ["scenario=masterpro_before", "+tickets.duplicate.email=1.5"],
        "tickets.duplicate.email must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["scenario=masterpro_before", "tickets.merge_time=-1"],
        "tickets.merge_time must be a finite number >= 0, got -1.0",
    ),
    (
        "rule",
        ["scenario=mmc", "+tickets.duplicate.default=0.2"],
        "tickets.duplicate needs at least two deferred channels (the copy is written on another "
        "one), got []",
    ),
    (
        "wrong type",
        ["scenario=masterpro_before", "tickets.merge_time=abc"],
        "tickets.merge_time must be a number, got 'abc'",
    ),
    # proactive outbound (sim/config/checks/outbound.py)
    (
        "unknown key",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.0.rat=0.1"],
        "outbound.campaigns[0].rat is not a campaign setting (did you mean 'rate'?)",
    ),
    (
        "unknown key",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialr.mode=preview"],
        "outbound.dialr is not an outbound setting (did you mean 'dialer'?)",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.0.rate=-1"],
        "outbound.campaigns[0].rate must be a finite number >= 0, got -1.0",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.0.reach=1.5"],
        "outbound.campaigns[0].reach must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.1.cost=-0.05"],
        "outbound.campaigns[1].cost must be a finite number >= 0, got -0.05",
    ),
    (
        "rule",
        [
            "scenario=proactive",
            "outbound.enabled=true",
            "outbound.campaigns.0.prevents={provisioning: 1.2}",
        ],
        "outbound.campaigns[0].prevents.provisioning must be a probability in [0, 1], got 1.2",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.0.rate=0.2"],
        "outbound.campaigns[0].prevents.provisioning prevents 2 of segment consumer's new "
        "provisioning contacts (rate x reach x prevents must be <= the reason's rate), got 0.25",
    ),
    (
        "rule",
        [
            "scenario=proactive",
            "outbound.enabled=true",
            "outbound.campaigns.3.creates={credit: -1}",
        ],
        "outbound.campaigns[3].creates.credit must be a finite number >= 0, got -1.0",
    ),
    (
        "rule",
        [
            "scenario=proactive",
            "outbound.enabled=true",
            "outbound.campaigns.1.name=provisioning_steps",
        ],
        "outbound.campaigns[1].name must be a unique name of letters, digits and '_', "
        "got 'provisioning_steps'",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.groups=[]"],
        "outbound.dialer.groups must name the agent groups that make the calls, got []",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.groups=[voice_agent]"],
        "outbound.dialer.groups[0] must name an agent group (['business_desk', 'digital_team', "
        "'voice_agents']), got 'voice_agent'",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.hours=[540]"],
        "outbound.dialer.hours must be [start, end] in minutes from midnight, got [540.0]",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.hours=[1200,540]"],
        "outbound.dialer.hours[1] must be in (start, start + 1440], got 540.0",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.p_no_answer=1.2"],
        "outbound.dialer.p_no_answer must be a probability in [0, 1], got 1.2",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.p_right_party=-0.1"],
        "outbound.dialer.p_right_party must be a probability in [0, 1], got -0.1",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.ring_time=-1"],
        "outbound.dialer.ring_time must be a finite number >= 0, got -1.0",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.talk.mean=0"],
        "outbound.dialer.talk.mean must be a finite number > 0, got 0.0",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.max_attempts=0"],
        "outbound.dialer.max_attempts must be >= 1, got 0",
    ),
    (
        "rule",
        ["scenario=proactive", "outbound.enabled=true", "demand.customers=0"],
        "outbound.campaigns[0] acts on inbound demand, so demand.customers must be > 0, got 0",
    ),
    (
        "wrong type",
        ["scenario=proactive", "outbound.enabled=true", "outbound.dialer.mode=predictive"],
        "outbound.dialer.mode must be one of preview, progressive, got 'predictive'",
    ),
    (
        "wrong type",
        ["scenario=proactive", "outbound.enabled=true", "outbound.campaigns.0.channel=fax"],
        "outbound.campaigns.0.channel must be one of agent_call, email, ivr_call, push, sms, "
        "got 'fax'",
    ),
    # the perceived-quality survey, vendor bonus/malus, locations, loyalty (docs/survey.md)
    (
        "rule",
        ["+outcomes.satisfaction.courtesy.voice_agents=11"],
        "outcomes.satisfaction.courtesy.voice_agents must be in [1, 10], got 11.0",
    ),
    (
        "rule",
        ["+outcomes.satisfaction.courtesy.nobody=8"],
        "outcomes.satisfaction.courtesy.nobody must be one of ['business_desk', 'default', "
        "'digital_team', 'voice_agents'], got 'nobody'",
    ),
    (
        "rule",
        ["outcomes.churn.loyalty=1.5"],
        "outcomes.churn.loyalty must be a probability in [0, 1], got 1.5",
    ),
    (
        "rule",
        ["outcomes.churn.excellent=11"],
        "outcomes.churn.excellent must be in [0, 10], got 11.0",
    ),
    (
        "rule",
        ["scenario=wind", "+outcomes.costs.schemes.acme={terms:[]}"],
        "outcomes.costs.schemes.acme must be one of ['inhouse', 'offshore_bpo', 'onshore_bpo'], "
        "got 'acme'",
    ),
    (
        "rule",
        ["scenario=wind", "outcomes.costs.schemes.onshore_bpo.terms=[{kpi:survey,target:0.8}]"],
        "outcomes.costs.schemes.onshore_bpo.terms[0].target must be a survey score in [1, 10], "
        "got 0.8",
    ),
    (
        "rule",
        ["+outcomes.locations.mars={price_factor:0.5}"],
        "outcomes.locations.mars must be one of ['inhouse', 'offshore', 'onshore'], got 'mars'",
    ),
    (
        "rule",
        ["scenario=wind", "outcomes.locations.offshore.language=12"],
        "outcomes.locations.offshore.language must be in [0, 9] points, got 12.0",
    ),
    (
        "rule",
        ["scenario=wind", "outcomes.locations.offshore.price_factor=0"],
        "outcomes.locations.offshore.price_factor must be a finite number > 0, got 0.0",
    ),
    (
        "rule",
        ["stress=call_center", "stress.courtesy_sensitivity=2"],
        "stress.courtesy_sensitivity must be in [0, 1], got 2.0",
    ),
    # durations with a unit (horizon: 365d, 2w): a unit that is not one, a sign, a month
    ("wrong type", ["scenario=mmc", "horizon=3mo"], f"horizon must be {DURATION}, got '3mo'"),
    ("wrong type", ["scenario=mmc", "horizon=-2d"], f"horizon must be {DURATION}, got '-2d'"),
    ("wrong type", ["scenario=mmc", "warmup=1y"], f"warmup must be {DURATION}, got '1y'"),
    ("wrong type", ["scenario=mmc", "horizon=true"], f"horizon must be {DURATION}, got True"),
    ("rule", ["scenario=mmc", "horizon=0d"], "horizon must be a finite number > 0, got 0.0"),
    (
        "rule",
        ["scenario=mmc", "horizon=1d", "warmup=2d"],
        "warmup must be in [0, horizon=1440.0), got 2880.0",
    ),
    (
        "wrong type",
        ["scenario=mmc", "intervals=daily"],
        "intervals must be true or false, got 'daily'",
    ),
    # the run's calendar (docs/long_runs.md): not a date, or not the weekday day 0 is
    (
        "rule",
        ["scenario=mmc", "start_date=2026-02-30"],
        "start_date must be a date YYYY-MM-DD (e.g. 2027-01-05), got '2026-02-30'",
    ),
    (
        "rule",
        ["start_date=2026-12-02"],
        "start_date 2026-12-02 is a Wednesday, but demand.start_weekday=1 makes day 0 a Tuesday "
        "(the weekly profile and the shifts' weekdays read it): set demand.start_weekday=2 too, "
        "or choose a Tuesday",
    ),
    # records of a sample of days (docs/long_runs.md)
    (
        "rule",
        ["scenario=mmc", "keep_records=false", "record_days=[1]"],
        "record_days=[1] keeps the records of those days only, so it needs keep_records=true, "
        "got keep_records=false",
    ),
    (
        "rule",
        ["horizon=3d", "record_days=[2,4]"],
        "record_days[1] must be a day of the run in 1..3, got 4",
    ),
    (
        "rule",
        ["horizon=3d", "record_days=[2,2]"],
        "record_days must name each day once, got [2, 2]",
    ),
    # the Dask cluster (docs/cluster.md)
    (
        "rule",
        ["scenario=mmc", "cluster.address=head"],
        "cluster.address must be empty, 'local' or a Dask scheduler address such as "
        "tcp://host:8786, got 'head'",
    ),
    (
        "rule",
        ["scenario=mmc", "cluster.address=tcp://head:99999"],
        "cluster.address must have a port in 1..65535, got 'tcp://head:99999'",
    ),
    ("rule", ["scenario=mmc", "cluster.workers=0"], "cluster.workers must be >= 1, got 0"),
]

# Command-line only: sweeps (each job checked before the first starts) and flags.
CLI_CASES: list[tuple[str, list[str], str]] = [
    (
        "sweep",
        ["-m", "scenario=mmc", "servers=10,0", "replications=1", "horizon=60", "warmup=0"],
        "job 2 of 2 (scenario=mmc, servers=0, replications=1, horizon=60, warmup=0): servers "
        "must be >= 1, got 0",
    ),
    (
        "sweep",
        ["-m", "experiment=pooling", "params.flexible=0,11,1", "replications=2"],
        "job 2 of 3 (params.flexible=11, replications=2): agents.only_a.count must be >= 0, got -1",
    ),
    (
        "sweep",
        ["-m", "scenario=mmc", "servers=10,20", "hydra.sweep.subdir=../x"],
        "job 1 of 2 (scenario=mmc, servers=10): hydra.sweep.subdir (the job's folder) must be a "
        f"plain name {PLAIN}, got '../x'",
    ),
    (
        "sweep",
        ["-m", "scenario=mmc", "servers=10,20", "name=../../up"],
        f"job 1 of 2 (scenario=mmc, servers=10, name=../../up): name must be a plain name {PLAIN}, "
        "got '../../up'",
    ),
    (
        "flag",
        ["--config-path", "elsewhere", "scenario=mmc"],
        "--config-path is not supported: use --config-dir <folder>",
    ),
    (
        "flag",
        ["--frobnicate", "scenario=mmc"],
        "unrecognized arguments: --frobnicate (python run.py --help lists the flags)",
    ),
]
