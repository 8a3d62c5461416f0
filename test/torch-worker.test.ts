/** The torch worker under failure: a worker killed or hung mid-run errors one trial, and the run goes on. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BackendResolution } from '../src/backends/backend.js';
import { createTorchBackend, TorchBackend } from '../src/backends/torch/index.js';
import { runSurvey } from '../src/run/survey.js';
import { describeBackend } from './helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function openTorch(requestTimeoutMs?: number): Promise<TorchBackend> {
  const r: BackendResolution = await createTorchBackend({ requestTimeoutMs });
  if (!r.ok) throw new Error(r.reason);
  assert.ok(r.backend instanceof TorchBackend);
  return r.backend;
}

describeBackend('torch', 'worker faults', () => {
  it('a worker killed mid-run errors that trial with its stderr, and the next trials complete on a new worker', async () => {
    const torch = await openTorch();
    const pids: number[] = [];
    try {
      const result = await runSurvey('seed', {
        backends: [torch],
        onTrialStart: (e) => {
          if (e.index === 2) process.kill(torch.workerPid!, 'SIGKILL');
        },
        onTrialEnd: () => pids.push(torch.workerPid ?? -1),
      });
      const rows = result.runs[0]!.rows;
      assert.deepEqual(
        rows.map((r) => r.state),
        ['completed', 'completed', 'errored', 'completed', 'completed', 'completed', 'completed', 'completed'],
      );
      assert.equal(rows[2]!.error!.code, 'worker-died');
      assert.match(rows[2]!.error!.message, /SIGKILL.*worker stderr: .*ftprobe_worker/);
      assert.equal(pids[2], -1, 'the killed worker is not reused');
      assert.notEqual(pids[3], pids[0], 'a new worker serves the trials after the kill');
      assert.equal(pids[4], pids[3], 'and is reused');
      assert.equal(alive(pids[0]!), false);
    } finally {
      await torch.dispose();
    }
  });

  it('a hung worker times out, is killed, and the run goes on', async () => {
    const torch = await openTorch(3000);
    let stopped = -1;
    try {
      const result = await runSurvey('seed', {
        backends: [torch],
        onTrialStart: (e) => {
          if (e.index === 1) {
            stopped = torch.workerPid!;
            process.kill(stopped, 'SIGSTOP');
          }
        },
      });
      const rows = result.runs[0]!.rows;
      assert.equal(rows[1]!.state, 'errored');
      assert.equal(rows[1]!.error!.code, 'timeout');
      assert.match(rows[1]!.error!.message, /did not answer "run_trial" within 3000 ms/);
      assert.equal(rows.filter((r) => r.state === 'completed').length, 7);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(alive(stopped), false, 'the hung worker is gone');
    } finally {
      await torch.dispose();
    }
    const last = torch.workerPid;
    assert.equal(last, undefined, 'dispose leaves no worker behind');
  });
});
