# Entry points of the collection. `make up` brings up the local stack;
# `make test` runs everything CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CONTAINERS_CONF := $(CURDIR)/tests/bench/containers.conf
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
TIMED := tests/bench/timed.sh
SANITY_DIR := .cache/sanity/ansible_collections/ecommerce/kafka
SANITY_TESTS := compile validate-modules pep8 pylint yamllint shebang line-endings \
	no-smart-quotes empty-init future-import-boilerplate metaclass-boilerplate \
	no-assert no-get-exception no-unicode-literals replace-urlopen use-compat-six

.PHONY: venv artifacts image lint sanity unit integration molecule test up bench-topics

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
# a copy of the tracked files is the checkout it sees.
sanity: venv
	rm -rf $(SANITY_DIR) && mkdir -p $(SANITY_DIR)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^\.collections/' \
		| xargs -0 cp --parents -t $(SANITY_DIR)
	@cd $(SANITY_DIR) && $(CURDIR)/$(TIMED) sanity \
		ansible-test sanity --color no --venv --requirements --python 3.11 \
		$(addprefix --test ,$(SANITY_TESTS))

unit: venv
	@$(TIMED) unit $(PY) -m pytest tests/unit -q

integration: venv artifacts
	@$(TIMED) integration $(PY) -m pytest tests/integration -q -rA

molecule: venv artifacts image
	@$(TIMED) molecule molecule test --all

test: venv artifacts image lint unit integration molecule

up:
	@echo "make up: the roles that bring up the local stack have not landed yet (issue 5)" >&2; exit 1

bench-topics: venv artifacts
	$(PY) -m tests.bench.bench_topics
