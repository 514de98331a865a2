# Entry points of the collection. `make up` brings up the local stack;
# `make test` runs everything CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CONTAINERS_CONF := $(CURDIR)/tools/containers.conf
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
TIMED := tests/bench/timed.sh
SANITY_DIR := .cache/sanity/ansible_collections/ecommerce/kafka
# Every sanity test but those for languages or tools the collection does not use.
SANITY_SKIP := pslint shellcheck
# The pip release ansible-test bootstraps its import-test venv with.
ANSIBLE_TEST_PIP := 24_2

.PHONY: setup preflight venv artifacts image lint sanity unit packaging integration hosts molecule test up down bench-topics bench-topics-loop bench-offsets compose-topics

# The Debian packages of tools/system-packages.txt that this machine lacks (as root).
setup:
	@$(TIMED) setup tools/setup-system.sh

# Every command the suite and the local stack run, and a container on a podman network.
preflight: setup
	@$(TIMED) preflight tools/preflight.sh

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@$(TIMED) venv bash -c 'python3 -m venv $(VENV) && \
		$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt'
	touch $@

artifacts: venv
	@$(TIMED) artifacts tests/bench/stage_artifacts.sh

image:
	@$(TIMED) image tests/bench/build_image.sh

lint: venv
	@$(TIMED) ansible-lint ansible-lint --profile production
	@$(MAKE) --no-print-directory sanity

# ansible-test wants the collection at .../ansible_collections/ecommerce/kafka;
# a copy of the tracked files, in a git repository of its own (ansible-test
# lists files with git, and .cache is ignored by this one), is what it sees.
sanity: venv
	rm -rf $(SANITY_DIR) && mkdir -p $(SANITY_DIR)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^\.collections/' \
		| xargs -0 cp --parents -t $(SANITY_DIR)
	cd $(SANITY_DIR) && git init -q && git add -A
	install -D -m 0644 tests/bench/get_pip_offline.py $(HOME)/.ansible/test/cache/get_pip_$(ANSIBLE_TEST_PIP).py
	@cd $(SANITY_DIR) && $(CURDIR)/$(TIMED) sanity \
		ansible-test sanity --color no --local --python 3.11 \
		$(addprefix --skip-test ,$(SANITY_SKIP))

unit: venv
	@$(TIMED) unit $(PY) -m pytest tests/unit -q

# The modules, playbooks and documented commands against a real ZooKeeper, broker and registry.
integration: venv artifacts
	@$(TIMED) integration $(PY) -m pytest tests/real_cluster -q -rA

# The Galaxy artifact as users install it.
packaging: venv
	@$(TIMED) packaging $(PY) -m pytest tests/packaging -q -rA

# The roles' guards on real systemd hosts, driven by ansible-playbook.
hosts: venv artifacts image
	@$(TIMED) hosts $(PY) -m pytest tests/hosts -q -rA

MOLECULE_SCENARIOS := $(patsubst extensions/molecule/%/molecule.yml,%,$(wildcard extensions/molecule/*/molecule.yml))
# Scenarios that judge timings (a rolling restart by the writer's pauses) run
# alone; `make test` runs the others beside the real cluster.
ALONE_SCENARIOS := prod
SHARED_SCENARIOS := $(filter-out $(ALONE_SCENARIOS),$(MOLECULE_SCENARIOS))

molecule: $(addprefix molecule-,$(MOLECULE_SCENARIOS))

# One timed stage per scenario, so the log shows each scenario's wall time, and
# each task's time (profile_tasks) for the converges' profiles;
# then no password of the scenario (.cache/molecule-<scenario>/secrets) may be in its log.
molecule-%: venv artifacts image
	@mkdir -p .cache
	@ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks $(TIMED) molecule-$* bash -o pipefail -c \
		"molecule test -s $* 2>&1 | tee .cache/molecule-$*.log"
	@tests/bench/no_secrets_in_log.sh .cache/molecule-$*.log .cache/molecule-$*/secrets

# The real cluster mostly waits on its JVMs, and the hosts and the shared
# scenarios on podman and Ansible, so they share the two cores: the real
# cluster in one slot, the others one after another in the second. Each
# stage's output is printed whole when it ends (-O). Then the scenarios that
# run alone.
test: preflight venv artifacts image lint unit packaging
	@$(MAKE) --no-print-directory -j2 --output-sync=target integration hosts $(addprefix molecule-,$(SHARED_SCENARIOS))
	@$(MAKE) --no-print-directory $(addprefix molecule-,$(ALONE_SCENARIOS))

# One local systemd host converged by site.yml; prints the bootstrap server and registry URL.
up: preflight venv artifacts image
	@$(TIMED) up tools/local_stack.sh

down: venv
	tools/local_stack.sh down

# kafka_topic's time for each step of a 1,000-topic table, as a ratio to the raw AdminClient plus an empty playbook.
bench-topics: venv artifacts
	$(PY) -m tests.bench.bench_topics

# kafka_consumer_offsets and kafka_info on a group of 1,000 partitions, as a ratio to the raw AdminClient plus an empty playbook.
bench-offsets: venv artifacts
	$(PY) -m tests.bench.bench_offsets

# The no-op table in one task against a loop of single-topic tasks.
bench-topics-loop: venv artifacts
	$(PY) -m tests.bench.bench_topics loop

# The topic table, by the same role and module as every environment, on the
# broker of docker-compose.yml (`docker compose up -d` first).
compose-topics: venv
	ansible-playbook -i inventories/compose playbooks/topics.yml
