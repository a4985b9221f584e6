// The page of the browser video test (adapters/tokio/tests/browser_video.rs).
// Chromium's fake camera goes to sansrtc on a sendrecv transceiver whose
// codec is chosen with setCodecPreferences; sansrtc sends every frame back
// (an echo) on the same transceiver, and the page shows what comes back.
// hostSignal(offer) -> answer is exposed by the Node driver (it POSTs the
// offer to the Rust test's HTTP server).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // The codecs of `name` Chromium can both send and receive; for H.264 the
  // packetization-mode=1 constrained-baseline (42e01f) variant first.
  function pickCodecs(name) {
    const mime = `video/${name}`.toLowerCase();
    const send = RTCRtpSender.getCapabilities('video').codecs;
    const recv = RTCRtpReceiver.getCapabilities('video').codecs;
    const key = (c) => `${c.mimeType.toLowerCase()} ${c.clockRate} ${c.sdpFmtpLine || ''}`;
    const sendable = new Set(send.map(key));
    let chosen = recv.filter((c) => c.mimeType.toLowerCase() === mime && sendable.has(key(c)));
    if (name.toUpperCase() === 'H264') {
      chosen = chosen.filter((c) => /packetization-mode=1/.test(c.sdpFmtpLine || ''));
      chosen.sort((a, b) => Number(!/profile-level-id=42e01f/.test(a.sdpFmtpLine || ''))
        - Number(!/profile-level-id=42e01f/.test(b.sdpFmtpLine || '')));
      chosen = chosen.slice(0, 1);
    }
    const listing = (l) => l.map((c) => `${c.mimeType} ${c.sdpFmtpLine || ''}`.trim()).join(', ');
    return { chosen, sendList: listing(send), recvList: listing(recv) };
  }

  function gatheringComplete(pc, ms) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), ms);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
  }

  // Keeps loopback candidates only (the test is loopback only).
  function loopbackOnly(sdp) {
    return sdp.split('\r\n').filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const address = line.split(' ')[4];
      return address === '127.0.0.1' || address === '::1';
    }).join('\r\n');
  }

  const pick = (s, keys) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));

  globalThis.videoEcho = {
    pc: null,

    async start({ codec }) {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: 640, height: 480, frameRate: 30 },
      });
      $('local').srcObject = stream;
      const { chosen, sendList, recvList } = pickCodecs(codec);
      if (!chosen.length) {
        throw new Error(`Chromium cannot both send and receive ${codec}; send: [${sendList}]; receive: [${recvList}]`);
      }
      const pc = new RTCPeerConnection();
      this.pc = pc;
      const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendrecv', streams: [stream] });
      transceiver.setCodecPreferences(chosen);
      pc.ontrack = (e) => { $('remote').srcObject = e.streams[0] || new MediaStream([e.track]); };
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringComplete(pc, 10000);
      const offer = loopbackOnly(pc.localDescription.sdp);
      const answer = await hostSignal(offer);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      return {
        offer, answer,
        preferred: chosen.map((c) => `${c.mimeType} ${c.sdpFmtpLine || ''}`.trim()),
      };
    },

    // The getStats() entries the test reads, for the video in each direction.
    async stats() {
      const pc = this.pc;
      if (!pc) return {};
      const report = await pc.getStats();
      const byId = new Map();
      report.forEach((s) => byId.set(s.id, s));
      const codecOf = (s) => {
        const c = s && s.codecId && byId.get(s.codecId);
        return c ? `${c.mimeType} ${c.sdpFmtpLine || ''}`.trim() : undefined;
      };
      const out = { connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState };
      report.forEach((s) => {
        if (s.kind !== 'video') return;
        if (s.type === 'inbound-rtp') {
          out.inbound = {
            ...pick(s, ['ssrc', 'packetsReceived', 'bytesReceived', 'packetsLost', 'framesReceived',
              'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'frameWidth', 'frameHeight',
              'framesPerSecond', 'decoderImplementation', 'pliCount', 'firCount', 'nackCount', 'jitter']),
            codec: codecOf(s),
          };
        } else if (s.type === 'outbound-rtp') {
          out.outbound = {
            ...pick(s, ['ssrc', 'packetsSent', 'bytesSent', 'framesEncoded', 'keyFramesEncoded',
              'framesSent', 'frameWidth', 'frameHeight', 'framesPerSecond', 'encoderImplementation',
              'pliCount', 'firCount', 'nackCount', 'qualityLimitationReason']),
            codec: codecOf(s),
          };
        } else if (s.type === 'remote-inbound-rtp') {
          out.remoteInbound = pick(s, ['ssrc', 'roundTripTime', 'totalRoundTripTime',
            'roundTripTimeMeasurements', 'packetsLost', 'fractionLost', 'jitter']);
        } else if (s.type === 'remote-outbound-rtp') {
          out.remoteOutbound = pick(s, ['ssrc', 'packetsSent', 'bytesSent', 'reportsSent', 'remoteTimestamp']);
        }
      });
      const remote = $('remote');
      out.remoteVideo = { width: remote.videoWidth, height: remote.videoHeight, currentTime: remote.currentTime };
      $('stats').textContent = summary(out);
      return out;
    },

    close() { if (this.pc) this.pc.close(); },
  };

  function summary(s) {
    const i = s.inbound || {}, o = s.outbound || {}, r = s.remoteInbound || {};
    const rtt = r.roundTripTime === undefined ? '–' : `${(r.roundTripTime * 1000).toFixed(1)} ms`;
    return [
      `sent to sansrtc:       ${o.codec || '?'}, ${o.framesEncoded ?? 0} frames encoded (${o.keyFramesEncoded ?? 0} key), PLIs received ${o.pliCount ?? 0}`,
      `received from sansrtc: ${i.codec || '?'}, ${i.framesDecoded ?? 0} frames decoded (${i.keyFramesDecoded ?? 0} key), ${i.frameWidth ?? 0}×${i.frameHeight ?? 0}`,
      `round trip (from sansrtc's receiver reports): ${rtt}`,
    ].join('\n');
  }
})();
