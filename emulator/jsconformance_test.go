package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/internal/jssdk"
)

// jsStepHelpers is JavaScript for conformance scripts: step(name, fn) runs
// one step and prints {"script": ..., "step": ..., "ok": bool, "error": ...},
// check(cond, msg) fails one, and each script's main() runs after them.
const jsStepHelpers = `
let failed = 0;
let script = '';
function report(step, ok, error) {
  if (!ok) failed++;
  console.log(JSON.stringify({ script: script, step: step, ok: ok, error: error ? String(error && error.stack || error) : undefined }));
}
async function step(name, fn) {
  try { await fn(); report(name, true); } catch (e) { report(name, false, e); }
}
function check(cond, msg) { if (!cond) throw new Error(msg); }
const sfx = process.env.CONFORMANCE_SUFFIX;
`

// jsConformanceScript is the main() of the SDK's experiment workflow.
const jsConformanceScript = `
const projectName = 'js-conf-' + sfx;
const datasetName = 'js-conf-ds-' + sfx;
const templateName = 'js-conf-pt-' + sfx;
const rows = [
  { input: { question: 'What is 2 + 2?' }, output: '4' },
  { input: { question: 'Capital of France?' }, output: 'Paris' },
  { input: { question: 'Color of the sky?' }, output: 'blue' },
];
const answers = { 'What is 2 + 2?': '4', 'Capital of France?': 'Paris', 'Color of the sky?': 'green' };

async function waitCovered(id, n, what) {
  const deadline = Date.now() + 60000;
  let last = 'nothing yet';
  while (Date.now() < deadline) {
    const e = await g.getExperiment({ id: id, projectName: projectName });
    const sam = field(e, 'structured_aggregate_metrics') || {};
    const counts = Object.values(sam).map((a) => field(a, 'count'));
    const progress = field(field(field(e, 'status'), 'log_generation'), 'progress_percent');
    last = 'progress ' + progress + ', counts ' + JSON.stringify(counts) + ', aggregate_metrics ' + JSON.stringify(field(e, 'aggregate_metrics'));
    if (progress === 1 && counts.length >= 3 && counts.every((c) => c === n) && field(field(e, 'aggregate_metrics'), 'average_correctness') !== undefined) return e;
    await sleep(50);
  }
  throw new Error(what + ': aggregates did not cover ' + n + ' rows in time; last: ' + last);
}

async function main() {
  let project, dataset, template, fnRun, promptRun;
  await step('create-project', async () => {
    project = await g.createProject(projectName, { type: 'gen_ai' });
    check(project && project.id, 'no project id');
  });
  await step('get-project-by-name', async () => {
    const p = await g.getProject({ name: projectName });
    check(p.id === project.id, 'found ' + JSON.stringify(p));
  });
  await step('create-dataset', async () => {
    dataset = await g.createDataset({ name: datasetName, content: rows, projectName: projectName });
    check(dataset.id, 'no dataset id');
    check(field(dataset, 'num_rows') === rows.length, 'num_rows ' + field(dataset, 'num_rows'));
  });
  await step('read-dataset', async () => {
    const content = await g.getDatasetContent({ datasetName: datasetName });
    check(content.length === rows.length, 'got ' + content.length + ' rows');
    const first = field(content[0], 'values_dict');
    check(first && first.output === '4', 'first row ' + JSON.stringify(content[0]));
  });
  await step('create-prompt-template', async () => {
    template = await g.createPromptTemplate({ template: [{ role: 'system', content: 'Answer with one word.' }, { role: 'user', content: '{{question}}' }], name: templateName, projectName: projectName });
    check(template && template.id, 'no template id');
  });
  await step('get-prompt-template', async () => {
    const v = await g.getPromptTemplate({ name: templateName, projectName: projectName });
    check(v && v.id, 'no template version');
  });
  await step('run-function-experiment', async () => {
    fnRun = await g.runExperiment({
      name: 'js-conf-fn-' + sfx, datasetName: datasetName, projectName: projectName, metrics: ['correctness'],
      experimentTags: { suite: 'conformance' },
      function: async (input) => answers[input.question],
    });
    check(fnRun.experiment && fnRun.experiment.id, 'no experiment');
    check(fnRun.results && fnRun.results.length === rows.length, 'results ' + JSON.stringify(fnRun.results));
  });
  const fnID = fnRun && fnRun.experiment.id;
  await step('get-experiment-by-name', async () => {
    const e = await g.getExperiment({ name: 'js-conf-fn-' + sfx, projectName: projectName });
    check(e && e.id === fnID, 'found ' + JSON.stringify(e));
  });
  await step('get-experiments', async () => {
    const list = await g.getExperiments(projectName);
    check(list.some((e) => e.id === fnID), 'experiment not listed');
  });
  await step('wait-for-function-aggregates', async () => {
    const e = await waitCovered(fnID, rows.length, 'function run');
    const avg = field(field(e, 'aggregate_metrics'), 'average_correctness');
    check(Math.abs(avg - 2 / 3) < 1e-9, 'average_correctness ' + avg + ', want 2/3');
  });
  await step('tags', async () => {
    const tags = new g.ExperimentTags();
    await tags.upsertExperimentTag({ projectId: project.id, experimentId: fnID, key: 'owner', value: 'conformance' });
    await tags.upsertExperimentTag({ projectId: project.id, experimentId: fnID, key: 'owner', value: 'conformance-2' });
    const list = await tags.getExperimentTags({ projectId: project.id, experimentId: fnID });
    const byKey = {};
    for (const t of list) byKey[t.key] = t;
    check(byKey.suite && byKey.suite.value === 'conformance', 'suite tag ' + JSON.stringify(list));
    check(byKey.owner && byKey.owner.value === 'conformance-2', 'owner tag ' + JSON.stringify(list));
    await tags.deleteExperimentTag({ projectId: project.id, experimentId: fnID, tagId: byKey.owner.id });
    const after = await tags.getExperimentTags({ projectId: project.id, experimentId: fnID });
    check(!after.some((t) => t.key === 'owner'), 'owner tag not deleted');
  });
  await step('get-traces', async () => {
    const res = await g.getTraces({ projectId: project.id, experimentId: fnID, limit: 100 });
    check(res.records.length === rows.length, 'got ' + res.records.length + ' traces');
    const spans = await g.getSpans({ projectId: project.id, experimentId: fnID, limit: 100 });
    check(spans.records.length >= rows.length, 'got ' + spans.records.length + ' spans');
  });
  await step('export-records', async () => {
    const it = await g.exportRecords({ projectId: project.id, experimentId: fnID, rootType: 'trace', exportFormat: 'jsonl' });
    let n = 0;
    for await (const line of it) { if (String(line).trim()) n++; }
    check(n === rows.length, 'exported ' + n + ' lines');
  });
  await step('run-prompt-experiment', async () => {
    promptRun = await g.runExperiment({ name: 'js-conf-prompt-' + sfx, datasetId: dataset.id, projectName: projectName, promptTemplate: template, metrics: ['correctness'] });
    check(promptRun.experiment && promptRun.experiment.id, 'no experiment');
  });
  const promptID = promptRun && promptRun.experiment.id;
  await step('wait-for-prompt-aggregates', async () => { await waitCovered(promptID, rows.length, 'prompt run'); });
  await step('delete-experiments', async () => {
    for (const id of [fnID, promptID]) {
      await g.deleteExperiment({ id: id, projectId: project.id });
      let gone = false;
      try { gone = (await g.getExperiment({ id: id, projectName: projectName })) === undefined; } catch (e) { gone = true; }
      check(gone, 'experiment ' + id + ' still there');
    }
  });
  await step('cleanup', async () => {
    await g.deletePrompt({ id: template.id });
    await g.deleteDataset({ id: dataset.id });
    await g.deleteProject({ projectId: project.id });
  });
}
`

// TestJSConformance runs the official JavaScript SDK against the emulator,
// one subtest per script:
//   - workflow: projects, datasets, prompt templates, function and prompt
//     experiments, tags, traces, export and deletion;
//   - logging: the SDK's logger (sessions, traces and spans on a log
//     stream), enableMetrics on a log stream, getMetrics, log-stream export,
//     updatePrompt, renderPrompt and the dataset-version calls.
//
// The scripts run one after the other in one node process, since loading
// the SDK takes seconds of CPU.
func TestJSConformance(t *testing.T) {
	t.Parallel()
	runJSConformance(t, []jsScript{{"workflow", jsConformanceScript}, {"logging", jsLoggingScript}})
}

// jsScript is a conformance script: JavaScript that defines main().
type jsScript struct{ name, main string }

// runJSConformance runs scripts, one after the other, with the official
// JavaScript SDK against a fresh emulator whose responses are checked
// against the OpenAPI document (the SDK's own requests are not: they are
// not the emulator's to fix). Each script prints one JSON line per step,
// {"script", "step", "ok", "error"}; in the subtest of each script, every
// step must pass and every step must have run.
func runJSConformance(t *testing.T, scripts []jsScript) {
	sdk := needJSSDK(t)
	s := NewTest(t, Options{Seed: 1, ScoringDelay: 2 * time.Millisecond, Middleware: specMiddleware(t, true)})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Each script's declarations live in a function of its own.
	var js strings.Builder
	js.WriteString(jssdk.Helpers + jsStepHelpers + "const scripts = [];\n")
	for _, sc := range scripts {
		fmt.Fprintf(&js, "scripts.push([%q, async () => {\n%s\nawait main();\n}]);\n", sc.name, sc.main)
	}
	js.WriteString("(async () => { for (const [name, run] of scripts) { script = name; await run(); } })().then(() => process.exit(failed ? 1 : 0));\n")
	cmd := sdk.command(t, ctx, js.String(), "GALILEO_API_URL="+s.URL(), "GALILEO_API_KEY="+s.APIKey(), "CONFORMANCE_SUFFIX=1",
		"GALILEO_CONSOLE_URL=", "GALILEO_PROJECT=", "GALILEO_PROJECT_ID=", "GALILEO_LOG_STREAM=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	type stepResult struct {
		Script string `json:"script"`
		Step   string `json:"step"`
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
	}
	var results []stepResult
	stepFailed := false
	for _, line := range strings.Split(stdout.String(), "\n") {
		var r stepResult
		if json.Unmarshal([]byte(line), &r) != nil || r.Step == "" {
			continue
		}
		results = append(results, r)
		stepFailed = stepFailed || !r.OK
	}
	if runErr != nil && !stepFailed {
		t.Errorf("node failed with no failing step: %v\nstdout:\n%s\nstderr:\n%s", runErr, stdout.String(), stderr.String())
	}
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			steps := 0
			for _, r := range results {
				if r.Script != sc.name {
					continue
				}
				steps++
				if !r.OK {
					t.Errorf("JS SDK step %s failed: %s", r.Step, r.Error)
				}
			}
			want := strings.Count(sc.main, "await step('")
			if steps != want {
				t.Errorf("the JS %s script ran %d of %d steps (exit: %v)\nstdout:\n%s\nstderr:\n%s", sc.name, steps, want, runErr, stdout.String(), stderr.String())
			}
		})
	}
}
