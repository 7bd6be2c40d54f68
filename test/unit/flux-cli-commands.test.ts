import { describe, expect, it } from 'vitest';
import { bootstrapCommand, migrateFilesAction, migrateVersionSince } from '../../src/flux/flux-cli.js';
import { findRelease } from '../../src/flux/releases.js';

const r29 = findRelease('2.9')!;
const r28 = findRelease('2.8')!;

describe('flux migrate -f, as each CLI release accepts it (fluxcd/flux2 cmd/flux/migrate.go)', () => {
  it('gives --version 2.9 to CLI 2.9.4 and newer, which list 2.9', () => {
    expect(migrateFilesAction('./clusters/prod', r29, 'v2.9.5')).toBe(
      'run `flux migrate -f ./clusters/prod --version 2.9` with flux CLI v2.9.5 (CLIs 2.9.4 and newer accept --version 2.9)',
    );
  });

  it('leaves --version out for CLI 2.9.0 to 2.9.3, which refuse 2.9 and rewrite to the same API versions without it', () => {
    const action = migrateFilesAction('./clusters/prod', r29, 'v2.9.2');
    expect(action).toContain('run `flux migrate -f ./clusters/prod` with flux CLI v2.9.2');
    expect(action).toContain('it refuses --version 2.9, which CLIs 2.9.4 and newer accept');
  });

  it('gives --version 2.8 to CLI 2.8.0 and newer', () => {
    expect(migrateFilesAction('.', r28, 'v2.8.0')).toContain('`flux migrate -f . --version 2.8`');
    expect(migrateVersionSince('2.8')).toBe('2.8.0');
    expect(migrateVersionSince('2.7')).toBe('2.7.1');
  });

  it('has no -f before 2.7.1: says which API versions to write by hand', () => {
    const action = migrateFilesAction('.', r29, 'v2.7.0');
    expect(action).toContain('flux CLI v2.7.0 has no `flux migrate -f`');
    expect(action).toContain('Kustomization kustomize.toolkit.fluxcd.io/v1');
    expect(action).not.toContain('--version');
  });
});

describe('flux bootstrap for the repository found in the cluster', () => {
  it('uses the github provider with owner and repository of a github.com URL', () => {
    expect(
      bootstrapCommand({ url: 'https://github.com/acme/fleet.git', branch: 'main' }, './clusters/prod', ''),
    ).toBe('flux bootstrap github --owner=acme --repository=fleet --branch=main --path=./clusters/prod');
    expect(bootstrapCommand({ url: 'ssh://git@github.com/acme/fleet' }, 'clusters/prod', '')).toBe(
      'flux bootstrap github --owner=acme --repository=fleet --path=clusters/prod',
    );
  });

  it('keeps a GitLab subgroup in the owner', () => {
    expect(bootstrapCommand({ url: 'https://gitlab.com/acme/platform/fleet.git' }, './c', '')).toBe(
      'flux bootstrap gitlab --owner=acme/platform --repository=fleet --path=./c',
    );
  });

  it('uses git --url for any other server, with the extra components', () => {
    expect(
      bootstrapCommand(
        { url: 'ssh://git@git.example.com/fleet.git', branch: 'prod' },
        './clusters/prod',
        ' --components-extra=image-reflector-controller',
      ),
    ).toBe(
      'flux bootstrap git --url=ssh://git@git.example.com/fleet.git --branch=prod --path=./clusters/prod --components-extra=image-reflector-controller',
    );
  });
});
