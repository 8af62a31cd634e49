import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, actorOf, CallerContext, RecordAccess, subjectOf, trainingResourceScopeOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import type { ResourceView } from '@hub/contracts';
import { CreateResourceDto, ResourceQuery, UpdateResourceDto } from './dto/training.dto';
import { Resource } from './entities/resource.entity';
import { TrainingRepository } from './training.repository';

/**
 * The resource centre: guides, SOPs and quick-reference cards of a mission or global, per language, searched with
 * PostgreSQL full-text search (each document's tsvector uses its language's configuration; a query is matched with
 * the same configuration, so "évacuations" finds "évacuation" in French and "evacuating" finds "evacuation" in English).
 */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly training: TrainingRepository,
  ) {}

  private view(caller: CallerContext, r: Resource & { rank?: number; snippet?: string }): ResourceView {
    return {
      id: r.id,
      missionId: r.missionId,
      kind: r.kind,
      title: r.title,
      summary: r.summary,
      body: r.body,
      language: r.language,
      tags: r.tags,
      updatedAt: r.updatedAt.toISOString(),
      canManage: caller.ability.can(Action.Update, subjectOf('TrainingResource', { missionId: r.missionId })),
      ...(r.rank !== undefined ? { rank: r.rank, snippet: r.snippet } : {}),
    };
  }

  async search(caller: CallerContext, q: ResourceQuery): Promise<ResourceView[]> {
    return (await this.training.resources(trainingResourceScopeOf(caller.principal), q)).map((r) => this.view(caller, r));
  }

  async get(caller: CallerContext, id: string): Promise<ResourceView> {
    const r = await this.dataSource.manager.findOne(Resource, { where: { id } });
    await this.access.assert(caller, Action.Read, 'TrainingResource', r, { id, missionId: r?.missionId ?? null });
    return this.view(caller, r!);
  }

  async create(caller: CallerContext, dto: CreateResourceDto): Promise<ResourceView> {
    const missionId = dto.missionId ?? null;
    if (!caller.ability.can(Action.Create, subjectOf('TrainingResource', { missionId }))) {
      if (!missionId) throw DomainException.invalid('missionId', 'is required: global documents are managed by system administrators');
      throw DomainException.notFound('Mission');
    }
    return this.dataSource.transaction(async (m) => {
      const r = await m.save(
        m.create(Resource, { missionId, kind: dto.kind, title: dto.title.trim(), summary: dto.summary ?? '', body: dto.body, language: dto.language, tags: normaliseTags(dto.tags), updatedById: caller.principal.userId }),
      );
      await this.audit.record({ action: 'training.resource_created', outcome: 'success', missionId, subjectType: 'TrainingResource', subjectId: r.id, ...actorOf(caller) }, m);
      return this.view(caller, r);
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdateResourceDto): Promise<ResourceView> {
    return this.dataSource.transaction(async (m) => {
      const r = await m.findOne(Resource, { where: { id } });
      await this.access.assert(caller, Action.Update, 'TrainingResource', r, { id, missionId: r?.missionId ?? null });
      Object.assign(r!, { ...dto, ...(dto.tags ? { tags: normaliseTags(dto.tags) } : {}), updatedById: caller.principal.userId });
      await m.save(r!);
      await this.audit.record({ action: 'training.resource_updated', outcome: 'success', missionId: r!.missionId, subjectType: 'TrainingResource', subjectId: id, details: { fields: Object.keys(dto) }, ...actorOf(caller) }, m);
      return this.view(caller, r!);
    });
  }
}

function normaliseTags(tags: string[] = []): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()))];
}
