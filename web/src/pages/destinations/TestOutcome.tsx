import type { DestinationTestResult } from '../../api';
import { Badge, Code } from '../../components/ui';
import { requestText } from '../../format';

/** What a destination's test sent and what the partner answered. */
export function TestOutcome({ result }: { result: DestinationTestResult }) {
  return (
    <div className="test-result" aria-live="polite">
      <div className={`outcome-box ${result.success ? 'accepted' : 'rejected'}`}>
        <p>
          <Badge value={result.success ? 'succeeded' : 'failed'} /> {result.status === null ? 'no answer' : `HTTP ${result.status}`} in {result.latencyMs} ms
        </p>
        {result.error && <p className="reason-detail">{result.error}</p>}
      </div>
      {result.request && (
        <>
          <h3>Sample request</h3>
          <Code>{requestText(result.request)}</Code>
        </>
      )}
      <h3>The partner answered</h3>
      <Code>{result.excerpt ?? '(nothing)'}</Code>
      <p className="hint">A test sends a sample event now and records nothing.</p>
    </div>
  );
}
