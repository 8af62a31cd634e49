export * from './dto/rotations.dto';
export * from './hand-over.service';
export * from './rotation-end.service';
export * from './rotation-import.service';
export * from './rotations.module';
