# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Subjects of the schema registry: what the task asks, what the registry
holds, and the plan between the two, for ecommerce.kafka.kafka_schema."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import traceback

try:
    from confluent_kafka.schema_registry import Schema, SchemaReference
except ImportError:
    Schema = SchemaReference = None

try:
    import fastavro
except ImportError:
    HAS_FASTAVRO = False
    FASTAVRO_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_FASTAVRO = True
    FASTAVRO_IMPORT_ERROR = None

SCHEMA_TYPES = ('AVRO', 'JSON', 'PROTOBUF')
COMPATIBILITY_LEVELS = ('BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE',
                        'FULL', 'FULL_TRANSITIVE', 'NONE')
_SPEC_KEYS = ('schema', 'schema_type', 'references', 'compatibility', 'state', 'permanent')


def subject_specs(params):
    """One dict per subject, each key from the entry or else from the top-level option."""
    entries = params['subjects'] if params.get('subjects') else [dict(subject=params['subject'])]
    specs = []
    for entry in entries:
        spec = dict((key, entry.get(key) if entry.get(key) is not None else params.get(key)) for key in _SPEC_KEYS)
        spec['subject'] = entry.get('subject')
        specs.append(spec)
    return specs


def check_specs(specs):
    """({subject: spec with its schema as text}, [problems]): every problem of
    every subject at once, before the registry is asked anything."""
    wanted, problems = {}, []
    for spec in specs:
        subject = spec['subject']
        if not subject:
            problems.append('every entry of subjects needs a subject')
            continue
        if subject in wanted:
            problems.append('subject %s is listed twice' % subject)
            continue
        spec = dict(spec, schema_type=(spec['schema_type'] or 'AVRO').upper(), state=spec['state'] or 'present')
        if spec['schema_type'] not in SCHEMA_TYPES:
            problems.append('subject %s: schema_type %s is not one of %s' % (
                subject, spec['schema_type'], ', '.join(SCHEMA_TYPES)))
            continue
        if spec['compatibility'] and spec['compatibility'].upper() not in COMPATIBILITY_LEVELS:
            problems.append('subject %s: compatibility %s is not one of %s' % (
                subject, spec['compatibility'], ', '.join(COMPATIBILITY_LEVELS)))
            continue
        spec['compatibility'] = spec['compatibility'].upper() if spec['compatibility'] else None
        bad_references = [reference for reference in spec['references'] or []
                          if not isinstance(reference, dict) or not reference.get('name')
                          or not reference.get('subject') or not isinstance(reference.get('version'), int)]
        if bad_references:
            problems.append('subject %s: each reference needs a name, a subject and a version number, not %s' % (
                subject, bad_references[0]))
            continue
        if spec['state'] == 'present':
            if spec['schema'] is None:
                problems.append('subject %s: state=present needs a schema' % subject)
                continue
            try:
                spec['schema'] = schema_text(spec['schema'], spec['schema_type'], bool(spec['references']))
            except ValueError as exc:
                problems.append('subject %s: %s' % (subject, exc))
                continue
        wanted[subject] = spec
    return wanted, problems


def schema_text(schema, schema_type, has_references=False):
    """The schema as the registry takes it: text. A dict (from YAML) becomes
    JSON; JSON text is checked to parse, and an Avro schema without references
    to be valid Avro, so that a typo fails here with the parser's words."""
    if isinstance(schema, dict):
        if schema_type == 'PROTOBUF':
            raise ValueError('a PROTOBUF schema is text, not a mapping')
        text = json.dumps(schema, sort_keys=True)
    else:
        text = str(schema)
    if schema_type in ('AVRO', 'JSON'):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise ValueError('the %s schema is not valid JSON: %s' % (schema_type, exc))
        if schema_type == 'AVRO' and not has_references:
            if not HAS_FASTAVRO:
                raise ValueError('checking an Avro schema needs the fastavro package (a dependency of '
                                 'confluent-kafka[avro]): %s' % FASTAVRO_IMPORT_ERROR.strip().splitlines()[-1])
            try:
                fastavro.parse_schema(parsed)
            except Exception as exc:  # fastavro raises several types, all a verdict on the schema
                raise ValueError('invalid Avro schema: %s' % exc)
    return text


def registry_schema(spec):
    references = [SchemaReference(reference['name'], reference['subject'], reference['version'])
                  for reference in spec['references'] or []]
    return Schema(spec['schema'], spec['schema_type'], references)


def pretty(text, schema_type):
    """A schema as --diff shows it: JSON indented with sorted keys; other text as is."""
    if text is None:
        return ''
    if schema_type in ('AVRO', 'JSON'):
        try:
            return json.dumps(json.loads(text), indent=2, sort_keys=True) + '\n'
        except ValueError:
            pass
    return text if text.endswith('\n') else text + '\n'


class SubjectState:
    """What the registry holds for one subject: its versions, the latest one,
    whether the wanted schema is that latest version, and its compatibility."""

    def __init__(self, connection, spec):
        subject = spec['subject']
        what = 'subject %s' % subject
        self.versions = connection.read(what, connection.client.get_versions, subject) or []
        self.deleted_versions = []
        if not self.versions and spec['state'] == 'absent' and spec['permanent']:
            # Apicurio answers deleted=True (active and soft-deleted), not deleted_only.
            self.deleted_versions = connection.read(what, connection.client.get_versions, subject,
                                                    deleted=True) or []
        self.latest = connection.call(what, connection.client.get_latest_version, subject) if self.versions else None
        self.compatibility = connection.read(what, connection.client.get_compatibility, subject)
        self.is_latest = False
        if self.latest is not None and spec['state'] == 'present':
            # The registry compares as it parses (Apicurio: canonical content), not as text.
            found = connection.read(what, connection.client.lookup_schema, subject, registry_schema(spec),
                                    normalize_schemas=True)
            self.is_latest = found is not None and found.version == self.latest.version


class SubjectPlan:
    """The changes one subject needs, in the order they are applied."""

    def __init__(self, spec, state):
        self.spec, self.state = spec, state
        self.set_compatibility = None
        self.register = False
        self.delete = None
        self.verdict = None
        if spec['state'] == 'absent':
            if state.versions:
                self.delete = 'permanent' if spec['permanent'] else 'soft'
            elif state.deleted_versions:
                self.delete = 'permanent'
            return
        if spec['compatibility'] and spec['compatibility'] != state.compatibility:
            self.set_compatibility = spec['compatibility']
        self.register = not state.is_latest

    @property
    def changed(self):
        return bool(self.set_compatibility or self.register or self.delete)

    def changes(self):
        subject = self.spec['subject']
        lines = []
        if self.set_compatibility:
            lines.append('subject %s: compatibility %s -> %s' % (
                subject, self.state.compatibility or 'the registry default', self.set_compatibility))
        if self.register:
            lines.append('subject %s: register version %s' % (
                subject, (self.state.latest.version + 1) if self.state.latest else 1))
        if self.delete:
            lines.append('subject %s: delete (%s)' % (subject, self.delete))
        return lines

    def result(self):
        present = self.spec['state'] == 'present'
        version = None
        if present:
            latest = self.state.latest.version if self.state.latest else 0
            version = latest + 1 if self.register else latest
        return dict(subject=self.spec['subject'], state=self.spec['state'], version=version,
                    versions=(len(self.state.versions) + (1 if self.register else 0)) if present else 0,
                    compatibility=(self.set_compatibility or self.state.compatibility) if present else None,
                    compatible=self.verdict)

    def diff(self):
        before = self.state.latest.schema.schema_str if self.state.latest else None
        schema_type = self.spec['schema_type']
        after = before
        if self.register:
            after = self.spec['schema']
        elif self.delete:
            after = None
        header = 'subject %s' % self.spec['subject']
        return dict(before_header=header, after_header=header,
                    before=pretty(before, schema_type), after=pretty(after, schema_type))
