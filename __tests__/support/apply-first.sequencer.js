// The apply tests (*.apply.int.test.ts) run first: they are the longest files and mostly wait on terraform and the
// emulator, so a worker more than there are cores (jest.config.js) runs the CPU-bound files beside them.
// Otherwise jest's own order (failed first, then slowest by recorded duration, then largest).
const Sequencer = require("@jest/test-sequencer").default;

class ApplyFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const apply = (test) => /\.apply\.int\.test\.ts$/.test(test.path);
    return [...sorted.filter(apply), ...sorted.filter((test) => !apply(test))];
  }
}

module.exports = ApplyFirst;
