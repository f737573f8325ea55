"""The gateway benchmark's pieces (bench/gateway_bench.py is the command that runs them).

* ``workload``  — the canned upstream answers nginx serves and the chat bodies clients send;
* ``processes`` — child servers in their own sessions: spawn, stop, CPU time and RSS from /proc;
* ``servers``   — nginx, the gateway, the LiteLLM proxy and the reference proxy, started and checked;
* ``load``      — wrk runs and the raw-socket streaming client;
* ``report``    — medians, the issue's targets, the markdown tables and the plot;
* ``soak_report`` — bench/soak.py's per-request outcomes and its pass/fail verdict.
"""
