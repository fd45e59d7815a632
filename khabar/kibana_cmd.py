"""``khabar kibana``: khabar's data views, saved searches and dashboard for Kibana."""

from __future__ import annotations

import click

from khabar.context import Context, pass_context


@click.group("kibana")
def kibana() -> None:
    """Kibana saved objects of infra/kibana/*.ndjson (data views, saved searches, the overview dashboard)."""


@kibana.command("import")
@click.option("--url", help="Kibana's base URL [default: KHABAR_SINKS__KIBANA_URL, http://127.0.0.1:5601].")
@click.option(
    "--check", is_flag=True, help="Only validate the objects against the index templates; post nothing."
)
@pass_context
def import_cmd(ctx: Context, url: str | None, check: bool) -> None:
    """Validate the saved objects and post them to Kibana (POST /api/saved_objects/_import?overwrite=true)."""
    from infra.local.engines import pinned_versions
    from sinks.errors import KibanaError
    from sinks.kibana import import_objects
    from sinks.saved_objects import load_objects, to_ndjson, validate
    from sinks.templates import load_templates

    objects = load_objects()
    problems = validate(objects, load_templates(), pinned_versions().elasticsearch)
    if problems:
        raise KibanaError("the saved objects are invalid: " + "; ".join(problems))
    click.echo(f"ok {len(objects)} saved objects are valid", err=True)
    if check:
        return
    settings = ctx.settings
    auth = None
    if settings.elasticsearch.username and settings.elasticsearch.password:
        auth = (settings.elasticsearch.username, settings.elasticsearch.password.get_secret_value())
    result = import_objects(to_ndjson(objects), url=url or settings.sinks.kibana_url, auth=auth)
    click.echo(f"imported {result.success_count} saved objects into {url or settings.sinks.kibana_url}")
