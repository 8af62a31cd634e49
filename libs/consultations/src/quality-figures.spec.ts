import { EMPTY_QUALITY } from './entities/consultation-participant.entity';
import { accumulate, figures, merge } from './consultations.service';

describe('session record quality figures', () => {
  it('averages what was reported and keeps the worst values', () => {
    let q = { ...EMPTY_QUALITY };
    q = accumulate(q, { inboundBitrateKbps: 800, packetLoss: 0, rttMs: 40 });
    q = accumulate(q, { inboundBitrateKbps: 200, packetLoss: 0.1, rttMs: 300 });
    q = accumulate(q, { rttMs: 50 }); // a report without bitrate or loss does not dilute those averages
    expect(figures(q)).toEqual({ samples: 3, avgBitrateKbps: 500, minBitrateKbps: 200, avgLoss: 0.05, worstLoss: 0.1, avgRttMs: 130, worstRttMs: 300 });
  });

  it('merges participants sample-weighted, and says null where nothing was measured', () => {
    const a = accumulate({ ...EMPTY_QUALITY }, { inboundBitrateKbps: 900, packetLoss: 0.02 });
    const b = accumulate(accumulate({ ...EMPTY_QUALITY }, { inboundBitrateKbps: 300 }), { inboundBitrateKbps: 300, packetLoss: 0.2 });
    expect(figures(merge([a, b]))).toEqual({ samples: 3, avgBitrateKbps: 500, minBitrateKbps: 300, avgLoss: 0.11, worstLoss: 0.2, avgRttMs: null, worstRttMs: null });
    expect(figures(merge([]))).toEqual({ samples: 0, avgBitrateKbps: null, minBitrateKbps: null, avgLoss: null, worstLoss: null, avgRttMs: null, worstRttMs: null });
  });
});
