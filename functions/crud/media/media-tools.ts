import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import which from 'which';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

const require = createRequire(import.meta.url);

/** The binaries shipped inside npm packages, so that `npm install` alone is enough. */
function bundled(packageName: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string | undefined {
  try {
    return (require(packageName) as { path: string }).path;
  } catch {
    return undefined;
  }
}

/**
 * ffmpeg and ffprobe in order of preference: the configured paths (ffprobe
 * beside a configured ffmpeg), then PATH, then the npm-shipped builds.
 */
export function resolveMediaTools(configured: { ffmpegPath?: string; ffprobePath?: string }): MediaTools {
  const besideFfmpeg = configured.ffmpegPath && join(dirname(configured.ffmpegPath), 'ffprobe');
  const ffmpeg = configured.ffmpegPath ?? which.sync('ffmpeg', { nothrow: true }) ?? bundled('@ffmpeg-installer/ffmpeg');
  const ffprobe =
    configured.ffprobePath ??
    (besideFfmpeg && existsSync(besideFfmpeg) ? besideFfmpeg : undefined) ??
    which.sync('ffprobe', { nothrow: true }) ??
    bundled('@ffprobe-installer/ffprobe');
  if (!ffmpeg || !ffprobe) {
    throw new Error(
      'ffmpeg and ffprobe were not found: install them (for example `apt-get install ffmpeg`), ' +
        'set FFMPEG_PATH, or run `npm install` so the bundled builds are present',
    );
  }
  return { ffmpeg, ffprobe };
}
