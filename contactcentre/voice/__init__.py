"""The voice channel: Twilio webhooks, the IVR on calls, the queue experience, conference legs,
call control for agents (hold, mute, transfer, recording, click-to-dial) and routing reactions."""
