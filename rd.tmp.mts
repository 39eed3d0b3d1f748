import { Store } from './harness/store/store.ts';
import { loadReportInput } from './harness/store/reader.ts';
import { loadStudyData } from './experiments/inference-scaling/report/data.ts';
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  const store = Store.open('/tmp/p/paper.sqlite', 'read');
  const input = loadReportInput(store);
  const t1 = performance.now();
  loadStudyData(input);
  const t2 = performance.now();
  store.close();
  console.log('read', (t1 - t).toFixed(0), 'studyData', (t2 - t1).toFixed(0));
}
