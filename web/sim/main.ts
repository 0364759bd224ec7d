// The web simulator page (first cut): the default scenario played by the same runner as
// `latchkey sim`, on the same lock code, and its text report.
import { formatRun } from '../../sim/scenario/format.js';
import { BUILTIN_SCENARIOS, parseScenario } from '../../sim/scenario/parse.js';
import { runScenario } from '../../sim/scenario/run.js';

const run = runScenario(parseScenario(BUILTIN_SCENARIOS.default, 'default'));
const report = document.getElementById('report');
if (report) report.textContent = formatRun(run, 'built in').join('\n');
