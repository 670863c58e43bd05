// The agent's --help texts, kept out of tools/agent/main.cpp so the main stays a list of flags.
#pragma once

namespace payops {

inline constexpr const char* kAgentDescription =
      "agent: watches transactions.csv and heals routing in shared_config.json.\n"
      "Each cycle observes a short and a long window per bank (read from the end of the log),\n"
      "judges its earlier actions, decides by deterministic rules (circuit breakers, health with\n"
      "hysteresis, bounded reroutes back to the operator's weights, retry policy, chaos safety) and\n"
      "acts under the config lock. Every action is an agent_history entry with its reason.\n"
      "Stateless: cooldowns, timers and pending actions are read back from the config, so cron\n"
      "(`agent once`) and the daemon (`agent run`) decide alike; two overlapping runs never both act.\n\n"
      "Examples:\n"
      "  agent once                                  one cycle now (cron)\n"
      "  agent run --interval 10s                    daemon; Ctrl-C/SIGTERM finish the cycle and exit\n"
      "  simulator --fast --out - | agent run --input - --interval 10s   event time; on a scratch copy (--apply: live)\n"
      "  agent once --dry-run --json                 decide and print, change nothing\n"
      "  agent --now 2026-11-22T12:00:05.000Z once   one cycle at a virtual instant (closed-loop drills)\n"
      "  agent report transactions.csv --since 2026-11-22T12:00:00.000Z\n\n"
      "  agent status --watch                        the war room: live per-bank view in this terminal\n"
      "  agent status --prometheus FILE              one snapshot for node_exporter's textfile collector\n"
      "  agent score --start TS --incident bank_b:outage:8s+20s --baseline B.csv --oracle O.csv\n"
      "  agent --reasoner llm run                    ask an LLM (OPENROUTER_API_KEY), vetted by the rules' guardrails\n\n"
      "LLM reasoner: --reasoner llm sends each cycle's observations to an OpenAI-compatible\n"
      "chat-completions endpoint (default OpenRouter, model nvidia/nemotron-3-nano-30b-a3b:free, key from\n"
      "OPENROUTER_API_KEY). Every proposed action must pass the same guardrails as the rules; a rejected\n"
      "answer, a timeout, an HTTP error or a rate limit falls back to the rules for that cycle and is\n"
      "recorded in agent_history (llm_fallback). --shadow llm asks the LLM but lets the rules act.\n\n"
      "Exit codes: 0 ok, 1 other failure (I/O), 2 usage, 3 config lock held too long by another\n"
      "process, 4 shared_config.json missing or invalid, 5 (score) the drill missed a bar, 6 (once)\n"
      "transactions.csv is missing (no cycle ran).";

inline constexpr const char* kAgentScoreDescription =
      "Drill scorecard: payment-level metrics of the agent's run against the same traffic without the agent\n"
      "(baseline) and with a capacity-aware hindsight router (oracle), over the payments started in the\n"
      "incident window. Headline: gap captured = (agent - baseline) / (oracle - baseline) per metric.\n"
      "Exit 0 when every bar passes (or fails while marked known-short and at or above its floor), 5 when a\n"
      "bar fails, 1 when a log or the samples file cannot be read.\n"
      "Bar keys: first_attempt_gap, p95_gap, eventual_floor, detect, mitigate, flaps, zero_eligible,\n"
      "config_valid, double_charges, malformed, false_alarms (--calm), gain (--calm and --min-first-attempt-gain).\n"
      "Known-short floors (an agent that does nothing fails every drill): first_attempt_gap, p95_gap and gain\n"
      "need half their bar; detect and mitigate must happen at some point; eventual_floor no worse than the\n"
      "baseline. The other bars have no floor and cannot be marked.\n"
      "Example: agent score --start TS --incident bank_b:outage:8s+20s --baseline B.csv --oracle O.csv \\\n"
      "           --samples samples.jsonl --known-short p95_gap --bar-reason \"the oracle has no room on p95\"";

}  // namespace payops
