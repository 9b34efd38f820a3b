package emulator

// jsLoggingScript is the main() of the official JavaScript SDK's logging,
// session, metrics, prompt and dataset-version calls.
const jsLoggingScript = `
const projectName = 'js-log-' + sfx;
const streamName = 'js-log-stream-' + sfx;

async function main() {
  let project, stream, sessionID, template, dataset;
  const started = new Date(Date.now() - 60000);
  await step('create-project-and-log-stream', async () => {
    project = await g.createProject(projectName, { type: 'gen_ai' });
    stream = await g.createLogStream(streamName, projectName);
    check(stream && stream.id, 'no log stream id: ' + JSON.stringify(stream));
    const found = await g.getLogStream({ name: streamName, projectName: projectName });
    check(found && found.id === stream.id, 'found ' + JSON.stringify(found));
  });
  await step('enable-metrics-on-log-stream', async () => {
    const local = await g.enableMetrics({ projectName: projectName, logStreamName: streamName, metrics: ['correctness'] });
    check(Array.isArray(local) && local.length === 0, 'local metrics ' + JSON.stringify(local));
  });
  await step('logger-session-and-traces', async () => {
    const logger = new g.GalileoLogger({ projectName: projectName, logStreamName: streamName });
    sessionID = await logger.startSession({ name: 'conversation', externalId: 'ext-' + sfx });
    check(sessionID, 'no session id');
    for (const [q, a] of [['hi', 'hello'], ['bye', 'goodbye']]) {
      logger.startTrace({ input: q, name: 'turn', tags: ['conformance'], metadata: { turn: q } });
      logger.addLlmSpan({ input: [{ role: 'user', content: q }], output: { role: 'assistant', content: a }, model: 'gpt-4o-mini',
        numInputTokens: 3, numOutputTokens: 2, totalTokens: 5, durationNs: 1000000 });
      logger.addToolSpan({ input: q, output: a, name: 'lookup', durationNs: 500000 });
      logger.conclude({ output: a, durationNs: 2000000 });
    }
    const flushed = await logger.flush();
    check(flushed.length === 2, 'flushed ' + flushed.length + ' traces');
  });
  await step('search-traces-spans-sessions', async () => {
    const traces = await g.getTraces({ projectId: project.id, logStreamId: stream.id, limit: 100 });
    check(traces.records.length === 2, 'got ' + traces.records.length + ' traces');
    check(traces.records.every((r) => field(r, 'session_id') === sessionID), 'traces outside the session: ' + JSON.stringify(traces.records.map((r) => field(r, 'session_id'))));
    const spans = await g.getSpans({ projectId: project.id, logStreamId: stream.id, limit: 100 });
    check(spans.records.length === 4, 'got ' + spans.records.length + ' spans');
    const sessions = await g.getSessions({ projectId: project.id, logStreamId: stream.id, limit: 100 });
    check(sessions.records.length === 1 && sessions.records[0].id === sessionID, 'sessions ' + JSON.stringify(sessions.records));
  });
  await step('get-metrics', async () => {
    const m = await g.getMetrics({ projectId: project.id, logStreamId: stream.id, startTime: started.toISOString(),
      endTime: new Date(Date.now() + 60000).toISOString(), interval: 1 });
    check(Array.isArray(field(m, 'group_by_columns')), 'no group_by_columns: ' + JSON.stringify(m));
    const duration = field(field(m, 'aggregate_metrics'), 'duration_ns');
    check(duration === 2000000, 'aggregate duration_ns ' + duration + ', want 2000000: ' + JSON.stringify(m));
    const buckets = field(field(m, 'bucketed_metrics'), 'duration_ns');
    check(Array.isArray(buckets) && buckets.reduce((n, b) => n + (b.count || 0), 0) === 2, 'buckets ' + JSON.stringify(buckets));
  });
  await step('export-log-stream', async () => {
    let n = 0;
    for await (const line of await g.exportRecords({ projectId: project.id, logStreamId: stream.id, rootType: 'session', exportFormat: 'jsonl' })) {
      if (String(line).trim()) n++;
    }
    check(n === 1, 'exported ' + n + ' sessions');
    const lines = [];
    for await (const line of await g.exportRecords({ projectId: project.id, logStreamId: stream.id, rootType: 'trace', exportFormat: 'csv' })) {
      if (String(line).trim()) lines.push(String(line));
    }
    check(lines.length === 3 && lines[0].includes('input'), 'csv export ' + JSON.stringify(lines));
  });
  await step('update-and-render-prompt', async () => {
    template = await g.createPromptTemplate({ template: [{ role: 'user', content: '{{question}}' }], name: 'js-log-pt-' + sfx, projectName: projectName });
    const renamed = await g.updatePrompt({ id: template.id, newName: 'js-log-pt-renamed-' + sfx });
    check(renamed.name === 'js-log-pt-renamed-' + sfx, 'renamed ' + JSON.stringify(renamed));
    const found = await g.getPromptTemplate({ name: 'js-log-pt-renamed-' + sfx, projectName: projectName });
    check(found && found.id, 'renamed template not found');
    const r = await g.renderPrompt({ template: 'Q: {{question}}', data: ['{"question":"why"}', '{"question":"how"}'] });
    const results = field(r, 'rendered_templates').map((x) => x.result);
    check(JSON.stringify(results) === JSON.stringify(['Q: why', 'Q: how']), 'rendered ' + JSON.stringify(r));
  });
  await step('dataset-versions', async () => {
    dataset = await g.createDataset({ name: 'js-log-ds-' + sfx, content: [{ input: 'a', output: '1' }], projectName: projectName });
    await g.addRowsToDataset({ datasetId: dataset.id, rows: [{ input: 'b', output: '2' }] });
    const history = await g.getDatasetVersionHistory({ datasetId: dataset.id });
    const versions = field(history, 'versions');
    check(Array.isArray(versions) && versions.length === 2, 'history ' + JSON.stringify(history));
    const v0 = await g.getDatasetVersion({ datasetId: dataset.id, versionIndex: 0 });
    check(v0.rows.length === 1, 'version 0 has ' + v0.rows.length + ' rows');
    const now = await g.getDatasetContent({ datasetId: dataset.id });
    check(now.length === 2, 'current content has ' + now.length + ' rows');
    const r = await g.renderPrompt({ template: '{{input}}={{output}}', data: { datasetId: dataset.id } });
    const results = field(r, 'rendered_templates').map((x) => x.result);
    check(JSON.stringify(results) === JSON.stringify(['a=1', 'b=2']), 'rendered from the dataset ' + JSON.stringify(r));
  });
  await step('cleanup', async () => {
    await g.deletePrompt({ id: template.id });
    await g.deleteDataset({ id: dataset.id });
    await g.deleteProject({ projectId: project.id });
  });
}
`
