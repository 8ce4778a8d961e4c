// The README's "Sending events" example, kept here so `tsc -p tsconfig.test.json` type-checks it.
import { BusinessEvents } from '@pulse/sdk';

const pulse = new BusinessEvents({ apiKey: 'phc_your_project_token', host: 'http://127.0.0.1:8000' });
pulse.trackRevenueImpact('tenant-123', {
  impact_amount: 2500,
  impact_type: 'negative',
  event_type: 'deliverability_issue',
  bounce_rate: 0.12,
});
await pulse.shutdown();
