import { expect } from 'chai';
import { cleanFilename, titleFromFilename } from '../../../../functions/crud/receive/filename.js';

describe('cleanFilename', () => {
  it('drops directories, on either kind of slash', () => {
    expect(cleanFilename('../../etc/passwd')).to.equal('passwd');
    expect(cleanFilename('C:\\Music\\song.mp3')).to.equal('song.mp3');
  });

  it('drops control characters and falls back to "untitled"', () => {
    expect(cleanFilename('a\u0000b\nc.wav')).to.equal('abc.wav');
    expect(cleanFilename(undefined)).to.equal('untitled');
    expect(cleanFilename('..')).to.equal('untitled');
  });

  it('shortens long names but keeps the extension', () => {
    const cleaned = cleanFilename(`${'x'.repeat(400)}.flac`);
    expect(cleaned).to.have.length(255);
    expect(cleaned.endsWith('.flac')).to.equal(true);
  });
});

describe('titleFromFilename', () => {
  it('is the name without its extension', () => {
    expect(titleFromFilename('My Song.final.mp3')).to.equal('My Song.final');
    expect(titleFromFilename('noextension')).to.equal('noextension');
  });
});
