#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_schema
short_description: Register schemas of the schema registry as code, one subject or a list per task
version_added: 0.4.0
description:
  - Registers an Avro (or JSON Schema, or Protobuf) schema as the latest version of a subject, sets the subject's
    compatibility level, or deletes the subject, through the registry's Confluent-compatible API with
    confluent-kafka's C(SchemaRegistryClient). Safe to re-run.
  - A schema is already there when the registry finds it as the subject's latest version, compared as the registry
    parses schemas (for Apicurio, canonical content), not as text, so reordered keys, other whitespace and
    doc-only edits are no change.
  - Before it registers a new version of a subject that has versions, it asks the registry whether the schema is
    compatible under the subject's level. An incompatible schema fails the task with the registry's reasons
    (which Apicurio gives when asked to register, and then registers nothing), naming the subject. Every subject
    whose level the task does not change is judged before anything is changed.
  - A schema given as a mapping (from YAML) is sent as JSON; JSON text must parse, and an Avro schema without
    references must be valid Avro (checked with fastavro), so that a typo fails before the registry is asked.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.registry
attributes:
  check_mode:
    support: full
    description:
      - Returns the same plan and subjects as a real run and changes nothing. The registry's compatibility verdict
        is asked in check mode too, except for a subject whose compatibility level the task changes
        (RV(subjects[].compatible) is then null).
  diff_mode:
    support: full
    description: Shows each changed subject's latest schema before and after, as indented JSON for Avro and JSON.
  action_group:
    support: full
    description: Registry options can be set once for every registry module of the collection.
    membership:
      - ecommerce.kafka.registry
options:
  subjects:
    description:
      - A list of subjects, each a dictionary with O(subject) and the other options; a key an entry does not set
        takes the top-level option of the same name.
    type: list
    elements: dict
    suboptions:
      subject:
        description: As the top-level O(subject).
        type: str
        required: true
      schema:
        description: As the top-level O(schema).
        type: raw
      schema_type:
        description: As the top-level O(schema_type).
        type: str
      references:
        description: As the top-level O(references).
        type: list
        elements: dict
      compatibility:
        description: As the top-level O(compatibility).
        type: str
      state:
        description: As the top-level O(state).
        type: str
      permanent:
        description: As the top-level O(permanent).
        type: bool
  subject:
    description:
      - The subject; clients name a topic's value subject C(<topic>-value) and its key subject C(<topic>-key).
    type: str
  schema:
    description:
      - The schema, as text or as a mapping. Required with O(state=present).
    type: raw
  schema_type:
    description: C(AVRO), C(JSON) or C(PROTOBUF), as the registry names them.
    type: str
    default: AVRO
  references:
    description:
      - Schemas this one refers to, each with C(name) (as the schema refers to it), C(subject) and C(version).
    type: list
    elements: dict
  compatibility:
    description:
      - The subject's compatibility level (C(BACKWARD), C(BACKWARD_TRANSITIVE), C(FORWARD), C(FORWARD_TRANSITIVE),
        C(FULL), C(FULL_TRANSITIVE), C(NONE)). Omitted, the level is left as it is.
      - Set before the schema is judged and registered.
    type: str
  state:
    description:
      - V(present) registers O(schema) unless it is the subject's latest version; V(absent) deletes the subject.
    type: str
    choices: [present, absent]
    default: present
  permanent:
    description:
      - With O(state=absent), delete the subject for good (a soft delete first, as the registry requires), also
        when it was deleted softly before. Otherwise the delete is soft and the versions can be read back.
    type: bool
    default: false
notes:
  - Needs confluent-kafka with its schema registry extras (C(httpx), C(attrs), C(cachetools), C(fastavro)) where the
    module runs.
'''

EXAMPLES = r'''
- name: Register the order event's schema, backward compatible
  ecommerce.kafka.kafka_schema:
    registry_url: https://registry1.kafka.example.com:8080/apis/ccompat/v7
    subject: raw-events-value
    schema: "{{ lookup('ansible.builtin.file', 'schemas/ecommerce-event.avsc') }}"
    compatibility: BACKWARD

- name: Several subjects in one task
  ecommerce.kafka.kafka_schema:
    subjects:
      - subject: fraud-scores-value
        schema:
          type: record
          name: FraudScore
          namespace: com.ecommerce.fraud
          fields:
            - {name: order_id, type: string}
            - {name: score, type: double}
      - subject: legacy-value
        state: absent
  module_defaults:
    group/ecommerce.kafka.registry:
      registry_url: http://localhost:8080/apis/ccompat/v7
'''

RETURN = r'''
subjects:
  description: Each subject of the task as it is after the run (or would be, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    subject:
      description: The subject.
      type: str
    state:
      description: V(present) or V(absent).
      type: str
    version:
      description: The subject's latest version; null when absent.
      type: int
    versions:
      description: How many versions the subject has.
      type: int
    compatibility:
      description: The subject's own compatibility level; null when it follows the registry's default.
      type: str
    compatible:
      description: The registry's verdict on a new version; null when nothing was judged.
      type: bool
changes:
  description: One line per change, in the order they are (or would be) made.
  returned: always
  type: list
  elements: str
  sample: ["subject raw-events-value: register version 2"]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import KafkaModuleError
from ansible_collections.ecommerce.kafka.plugins.module_utils.registry import (
    REGISTRY_REQUIRED_TOGETHER, RegistryConnection, RegistryError, registry_argument_spec)
from ansible_collections.ecommerce.kafka.plugins.module_utils.schema import (
    SubjectPlan, SubjectState, check_specs, registry_schema, subject_specs)


def argument_spec():
    spec = registry_argument_spec()
    entry = dict(schema=dict(type='raw'), schema_type=dict(type='str'), references=dict(type='list', elements='dict'),
                 compatibility=dict(type='str'), state=dict(type='str'), permanent=dict(type='bool'))
    spec.update(
        subjects=dict(type='list', elements='dict', options=dict(subject=dict(type='str', required=True), **entry)),
        subject=dict(type='str'),
        schema=dict(type='raw'),
        schema_type=dict(type='str', default='AVRO'),
        references=dict(type='list', elements='dict'),
        compatibility=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        permanent=dict(type='bool', default=False),
    )
    return spec


def judge(connection, plan):
    """The registry's verdict on the plan's new version; True when there is nothing to judge against."""
    if not plan.state.latest:
        return True
    subject = plan.spec['subject']
    return connection.call('subject %s' % subject, connection.client.test_compatibility, subject,
                           registry_schema(plan.spec))


def incompatible(plan, level, reasons):
    return KafkaModuleError('subject %s: the schema is not compatible with version %s under %s%s; nothing registered'
                            % (plan.spec['subject'], plan.state.latest.version, level or 'the registry default',
                               ': %s' % reasons if reasons else ''))


def apply_plan(connection, plan):
    subject = plan.spec['subject']
    what = 'subject %s' % subject
    client = connection.client
    if plan.set_compatibility:
        connection.call(what, client.set_compatibility, subject, plan.set_compatibility)
        plan.verdict = judge(connection, plan) if plan.register and plan.state.latest else None
    if plan.register:
        try:
            connection.call(what, client.register_schema, subject, registry_schema(plan.spec), normalize_schemas=True)
        except RegistryError as exc:
            if exc.code == 409:
                raise incompatible(plan, plan.set_compatibility or plan.state.compatibility, exc.message)
            raise
    if plan.delete:
        if plan.state.versions:
            connection.call(what, client.delete_subject, subject)
        if plan.delete == 'permanent':
            connection.call(what, client.delete_subject, subject, permanent=True)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_one_of=[('subject', 'subjects')],
        mutually_exclusive=[('subject', 'subjects')],
        required_together=REGISTRY_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    wanted, problems = check_specs(subject_specs(module.params))
    if problems:
        module.fail_json(msg='; '.join(problems))

    connection = RegistryConnection(module)
    plans, applied = [], []
    try:
        plans = [SubjectPlan(spec, SubjectState(connection, spec)) for spec in wanted.values()]
        # Judged before anything changes, except where the task changes the level the verdict depends on.
        for plan in plans:
            if plan.register and plan.state.latest and not plan.set_compatibility:
                plan.verdict = judge(connection, plan)
        refused = [plan for plan in plans if plan.verdict is False]
        if refused and module.check_mode:
            raise incompatible(refused[0], refused[0].state.compatibility,
                               'Apicurio gives its reasons when asked to register, which check mode does not do')
        if refused:
            # Asked to register, the registry refuses with its reasons and registers nothing.
            apply_plan(connection, refused[0])
            applied.append(refused[0])
        if not module.check_mode:
            for plan in plans:
                if plan not in applied:
                    apply_plan(connection, plan)
                    applied.append(plan)
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc), changed=any(plan.changed for plan in applied))
    result = dict(changed=any(plan.changed for plan in plans),
                  subjects=[plan.result() for plan in plans],
                  changes=[line for plan in plans for line in plan.changes()])
    if module._diff:
        result['diff'] = [plan.diff() for plan in plans if plan.changed]
    module.exit_json(**result)


if __name__ == '__main__':
    main()
