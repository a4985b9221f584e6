// The browser demo's page: one RTCPeerConnection to sansrtc, signalled by
// WHIP (RFC 9725: the offer POSTed to /whip, the answer in the 201), with
// a data channel "chat" whose messages sansrtc echoes, and the
// microphone and camera sent sendrecv, which sansrtc sends back.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const say = (who, text) => {
    const li = document.createElement('li');
    li.className = who;
    li.textContent = (who === 'me' ? 'you: ' : who === 'them' ? 'sansrtc: ' : '') + text;
    $('log').appendChild(li);
    $('log').scrollTop = $('log').scrollHeight;
  };

  function gatheringComplete(pc, ms) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms); // send what was gathered by then
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
  }

  const demo = {
    pc: null,
    channel: null,
    echoed: [],
    location: null,

    async start() {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      $('local').srcObject = media;
      const pc = new RTCPeerConnection();
      this.pc = pc;
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [media] });
      const remote = new MediaStream();
      pc.ontrack = (e) => { remote.addTrack(e.track); $('echo').srcObject = remote; };
      const channel = pc.createDataChannel('chat');
      this.channel = channel;
      channel.onopen = () => say('info', 'connected to sansrtc');
      channel.onmessage = (e) => { this.echoed.push(e.data); say('them', e.data); };
      pc.onconnectionstatechange = () => { $('status').textContent = `connection: ${pc.connectionState}`; };
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringComplete(pc, 3000);
      const response = await fetch('/whip', {
        method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp,
      });
      if (response.status !== 201) throw new Error(`POST /whip: ${response.status} ${await response.text()}`);
      this.location = response.headers.get('location');
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      await new Promise((resolve, reject) => {
        if (channel.readyState === 'open') return resolve();
        const timer = setTimeout(() => reject(new Error('the chat channel did not open')), 15000);
        channel.addEventListener('open', () => { clearTimeout(timer); resolve(); });
      });
      return { location: this.location, offer: pc.localDescription.sdp, answer: pc.remoteDescription.sdp };
    },

    send(text) {
      say('me', text);
      this.channel.send(text);
    },

    // What came back: chat messages, and the echoed audio and video as
    // Chromium's getStats() and the <video> element see them.
    async stats() {
      const out = { echoed: this.echoed.slice(), connectionState: this.pc && this.pc.connectionState };
      if (!this.pc) return out;
      (await this.pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') {
          out[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded,
            totalSamplesReceived: s.totalSamplesReceived, audioLevel: s.audioLevel };
        }
      });
      const v = $('echo');
      out.echoVideo = { width: v.videoWidth, height: v.videoHeight, currentTime: v.currentTime };
      $('status').textContent = `connection: ${out.connectionState}; echoed video frames decoded: ${out.video?.framesDecoded ?? 0}; `
        + `echoed audio packets: ${out.audio?.packetsReceived ?? 0}; chat messages back: ${out.echoed.length}`;
      return out;
    },

    async stop() {
      if (this.location) await fetch(this.location, { method: 'DELETE' });
      if (this.pc) this.pc.close();
    },
  };
  globalThis.demo = demo;

  $('start').onclick = () => demo.start().catch((e) => say('info', String(e)));
  $('say').onsubmit = (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (text && demo.channel && demo.channel.readyState === 'open') demo.send(text);
    $('text').value = '';
  };
})();
