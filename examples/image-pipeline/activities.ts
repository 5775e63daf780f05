/**
 * Activities of the image pipeline example. They simulate an image service
 * (no real images are processed) but behave like real ones: they report
 * progress, and they fail while the simulated service is "down".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

/** Create this file to simulate an outage of the image service (see the README walk-through). */
export function outageFile(): string {
  return join(process.env.WEFT_DATA_DIR ?? '.weft', 'image-service-down');
}

export const listImages = defineActivity({
  name: 'images.list',
  description: 'Lists the images of an upload',
  input: z.object({ uploadId: z.string().min(1), count: z.number().int().min(0).max(1000) }),
  handler: ({ uploadId, count }) => ({ images: Array.from({ length: count }, (_, i) => `${uploadId}/img-${String(i + 1).padStart(3, '0')}.jpg`) }),
});

export const resizeImage = defineActivity({
  name: 'images.resize',
  description: 'Resizes one image (simulated)',
  input: z.object({ image: z.string().min(1), width: z.number().int().min(16).max(4096) }),
  handler: async ({ image, width }, ctx) => {
    if (existsSync(outageFile())) {
      throw ApplicationFailure.nonRetryable(`image service unavailable (remove ${outageFile()} to bring it back)`, 'ImageServiceDown');
    }
    ctx.progress(0, 2, 'decoding');
    await new Promise((r) => setTimeout(r, 20));
    ctx.progress(1, 2, 'resizing');
    return { image, width, url: `https://cdn.example.com/${width}/${image}` };
  },
});

export const contactSheet = defineActivity({
  name: 'images.contactSheet',
  description: 'Builds one contact sheet from the thumbnails (simulated)',
  input: z.object({ uploadId: z.string().min(1), thumbnails: z.union([z.array(z.string()), z.string()]).transform((t) => (Array.isArray(t) ? t : [t])) }),
  handler: ({ uploadId, thumbnails }) => ({ url: `https://cdn.example.com/sheets/${uploadId}.jpg`, count: thumbnails.length }),
});

export const activities = [listImages, resizeImage, contactSheet];
